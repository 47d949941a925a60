using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// The live handles of one kind (odr_client: <see cref="ClientBox"/>, odr_request: <see cref="PendingRequest"/>).
/// A pointer the library did not hand out, or one already closed or freed, is not in the table, so it is refused
/// with ODR_ESTATE instead of being dereferenced. One table per T: a client handle is never found as a request.
/// Generic over reference types only, so NativeAOT compiles one shared body and needs no runtime code generation.
/// </summary>
internal static class HandleTable<T> where T : class
{
    private static readonly ConcurrentDictionary<nint, T> Live = new();

    public static nint Add(T target)
    {
        var handle = GCHandle.ToIntPtr(GCHandle.Alloc(target));
        Live[handle] = target;
        return handle;
    }

    /// <summary>True when every handle of this kind handed out has been removed.</summary>
    public static bool IsEmpty => Live.IsEmpty;

    public static T? Find(nint handle) => handle != 0 && Live.TryGetValue(handle, out var target) ? target : null;

    /// <summary>Takes the handle out of the table; only one caller ever gets the target back (the one that closes or frees it).</summary>
    public static T? Remove(nint handle)
    {
        if (handle == 0 || !Live.TryRemove(handle, out var target))
        {
            return null;
        }
        GCHandle.FromIntPtr(handle).Free();
        return target;
    }
}
