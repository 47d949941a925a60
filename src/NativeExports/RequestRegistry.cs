using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// Live odr_request handles, like <see cref="HandleRegistry"/> for clients: a pointer the library did not hand
/// out, or one already freed, is not in the table and is refused with ODR_ESTATE instead of being dereferenced.
/// </summary>
internal static class RequestRegistry
{
    private static readonly ConcurrentDictionary<nint, PendingRequest> Live = new();

    public static nint Add(PendingRequest request)
    {
        var handle = GCHandle.ToIntPtr(GCHandle.Alloc(request));
        Live[handle] = request;
        return handle;
    }

    public static PendingRequest? Find(nint handle) => handle != 0 && Live.TryGetValue(handle, out var request) ? request : null;

    /// <summary>Takes the handle out of the table; only one caller ever gets the request back.</summary>
    public static PendingRequest? Remove(nint handle)
    {
        if (handle == 0 || !Live.TryRemove(handle, out var request))
        {
            return null;
        }
        GCHandle.FromIntPtr(handle).Free();
        return request;
    }
}
