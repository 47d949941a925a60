using System.Collections.Concurrent;

namespace OnDeviceReco.Native;

/// <summary>
/// What an odr_client* points at: the managed client, its last error messages, and a count of the calls inside
/// it. Every export holds the box for the length of the call (<see cref="TryAcquire"/>/<see cref="Release"/>),
/// so odr_close on one thread never disposes the client under a call running on another: it marks the box
/// closed (new calls get ODR_ESTATE), and the client is disposed once the last call in flight has returned.
/// odr_recommend_start requests whose work has not started are kept here too, so that closing cancels them: when
/// odr_close returns, none of the handle's requests is still pending.
/// </summary>
internal sealed unsafe class ClientBox
{
    private const int ClosedBit = 1 << 30;
    private readonly ManualResetEventSlim _disposed = new(false);
    private readonly HandleMessages _messages = new();
    private readonly ConcurrentDictionary<PendingRequest, byte> _queued = new();
    private int _state; // calls in flight, plus ClosedBit once odr_close was called
    private Exception? _disposeError;

    public ClientBox(RecoClient client) => Client = client;

    public RecoClient Client { get; }

    /// <summary>The calling thread's last error message on this handle (see <see cref="HandleMessages"/>).</summary>
    public byte* Message => _messages.Current;

    /// <summary>Counts a call in; false once the handle is closed (the call must not touch the client).</summary>
    public bool TryAcquire()
    {
        int state = Volatile.Read(ref _state);
        while ((state & ClosedBit) == 0)
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

    /// <summary>Counts a call out; the last one out of a closed handle disposes the client. Never throws.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _state) == ClosedBit)
        {
            DisposeClient();
        }
    }

    /// <summary>
    /// Closes the handle: no new call gets in; returns once the client is disposed (after the calls in flight on
    /// other threads have returned), with the exception disposing threw, if any. Called from inside a call on this
    /// handle, it returns at once and the client is disposed when that call returns. Called once (the registry
    /// hands the box to one closer only).
    /// </summary>
    public Exception? Close()
    {
        int previous = Interlocked.Or(ref _state, ClosedBit);
        if ((previous & ~ClosedBit) == 0)
        {
            DisposeClient();
        }
        else if (ThreadFrames<ClientBox>.Count(this) > 0)
        {
            return null;
        }
        else
        {
            _disposed.Wait();
        }
        return _disposeError;
    }

    public void SetError(string message) => _messages.Set(message);

    /// <summary>A request queued for work; called while holding the handle, so it is seen by the disposal.</summary>
    public void Queue(PendingRequest request) => _queued[request] = 0;

    /// <summary>The request's work has started (holding the handle) or was skipped: closing no longer cancels it.</summary>
    public void Forget(PendingRequest request) => _queued.TryRemove(request, out _);

    private void DisposeClient()
    {
        // No call is in flight and none can start: the requests still queued will never run on this client.
        foreach (var request in _queued.Keys)
        {
            request.Cancel("The client was closed before the request ran.");
        }
        _queued.Clear();
        try
        {
            Client.Dispose();
        }
        catch (Exception e)
        {
            _disposeError = e;
        }
        _messages.FreeAll();
        _disposed.Set();
    }
}
