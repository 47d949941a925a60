using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>What an odr_client* points at: the managed client plus its last error message.</summary>
internal sealed unsafe class ClientBox : IDisposable
{
    private nint _message;

    public ClientBox(RecoClient client) => Client = client;

    public RecoClient Client { get; }

    public byte* Message => (byte*)Volatile.Read(ref _message);

    public void SetError(string message)
    {
        var previous = Interlocked.Exchange(ref _message, (nint)Utf8Strings.Allocate(message));
        NativeMemory.Free((void*)previous);
    }

    public void Dispose()
    {
        Client.Dispose();
        NativeMemory.Free((void*)Interlocked.Exchange(ref _message, 0));
    }
}

/// <summary>
/// Live handles. A pointer the library did not hand out, or one already closed, is not in the table, so it
/// is refused with ODR_ESTATE instead of being dereferenced.
/// </summary>
internal static class HandleRegistry
{
    private static readonly ConcurrentDictionary<nint, ClientBox> Live = new();

    public static nint Add(ClientBox box)
    {
        var handle = GCHandle.ToIntPtr(GCHandle.Alloc(box));
        Live[handle] = box;
        return handle;
    }

    public static ClientBox? Find(nint handle) => handle != 0 && Live.TryGetValue(handle, out var box) ? box : null;

    public static ClientBox? Remove(nint handle)
    {
        if (handle == 0 || !Live.TryRemove(handle, out var box))
        {
            return null;
        }
        GCHandle.FromIntPtr(handle).Free();
        return box;
    }
}
