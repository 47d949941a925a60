using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// A handle's last error message per thread (odr_errmsg). A thread only ever replaces its own message, so a
/// message read by one thread is never freed by another thread's failure: it stays valid until the same thread
/// fails again on the same handle, or the handle is closed. One entry per thread that failed on the handle, freed
/// at close (managed thread ids are reused once a thread has ended, so short-lived host threads do not pile up).
/// </summary>
internal sealed unsafe class HandleMessages
{
    private readonly ConcurrentDictionary<int, nint> _byThread = new();

    /// <summary>The calling thread's last message on this handle, or NULL when it has not failed on it.</summary>
    public byte* Current => _byThread.TryGetValue(Environment.CurrentManagedThreadId, out var message) ? (byte*)message : null;

    public void Set(string message)
    {
        int thread = Environment.CurrentManagedThreadId;
        var fresh = (nint)Utf8Strings.Allocate(message);
        _byThread.TryGetValue(thread, out var previous);
        _byThread[thread] = fresh;
        NativeMemory.Free((void*)previous);
    }

    /// <summary>Frees every message; only when no call is in flight on the handle (it is being disposed).</summary>
    public void FreeAll()
    {
        foreach (var thread in _byThread.Keys)
        {
            if (_byThread.TryRemove(thread, out var message))
            {
                NativeMemory.Free((void*)message);
            }
        }
    }
}
