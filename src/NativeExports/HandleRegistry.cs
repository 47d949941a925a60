using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

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

    /// <summary>True when no client is open (every handle handed out has been closed).</summary>
    public static bool IsEmpty => Live.IsEmpty;

    public static ClientBox? Find(nint handle) => handle != 0 && Live.TryGetValue(handle, out var box) ? box : null;

    /// <summary>Takes the handle out of the table; only one caller ever gets the box back (the one that closes it).</summary>
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
