using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Native;

/// <summary>
/// One installed odr_log_callback: the function and its user data in one immutable object, published with a
/// single reference so that no call can pair one install's function with another's data. Counts the calls
/// running it, so that replacing it can wait until none is left: after odr_set_log_callback returns, the host
/// may free the old user data.
/// </summary>
internal sealed unsafe class LogSink
{
    private const int RetiredBit = 1 << 30;
    private readonly delegate* unmanaged<void*, int, byte*, void> _callback;
    private readonly void* _userData;
    private int _state; // calls running, plus RetiredBit once replaced

    public LogSink(delegate* unmanaged<void*, int, byte*, void> callback, void* userData)
    {
        _callback = callback;
        _userData = userData;
    }

    /// <summary>Counts a call in; false once replaced (the caller reads the newer sink instead).</summary>
    public bool TryAcquire()
    {
        int state = Volatile.Read(ref _state);
        while ((state & RetiredBit) == 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                return true;
            }
            state = seen;
        }
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _state);

    /// <summary>Runs the host's callback; between <see cref="TryAcquire"/> and <see cref="Release"/> only.</summary>
    public void Call(LogLevel level, byte* message)
    {
        ThreadFrames<LogSink>.Enter(this);
        try
        {
            _callback(_userData, (int)level, message);
        }
        finally
        {
            ThreadFrames<LogSink>.Exit();
        }
    }

    /// <summary>
    /// Lets no new call in, then waits until the calls running on other threads have returned. Calls on this
    /// thread's own stack (a callback replacing itself) are not waited for: they return after this does.
    /// </summary>
    public void Retire()
    {
        int own = ThreadFrames<LogSink>.Count(this);
        Interlocked.Or(ref _state, RetiredBit);
        var spin = new SpinWait();
        while ((Volatile.Read(ref _state) & ~RetiredBit) > own)
        {
            spin.SpinOnce(sleep1Threshold: 10); // log callbacks are short; a busy host callback yields the core
        }
    }
}
