using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// odr_recommend and odr_recommend_async: recommendations answered on the caller's thread, or through a callback
/// on a library thread. The polled form for single-threaded hosts is <see cref="PollExports"/>.
/// </summary>
internal static unsafe class RecommendExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_recommend")]
    public static int OdrRecommend(nint handle, byte* userId, int count, NativeRecommendation* results, nuint itemSize, int* outCount) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (outCount is not null)
            {
                *outCount = 0;
            }
            if (results is null || outCount is null)
            {
                throw new ArgumentException("results and out_count must not be NULL.");
            }
            CallerStructs.CheckSize<NativeRecommendation>(itemSize, "item_size");
            var list = box.Client.Recommend(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes), count);
            RecommendationCopy.Copy(list, results, itemSize);
            *outCount = list.Count;
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_recommend_async")]
    public static int OdrRecommendAsync(nint handle, byte* userId, int count, nuint itemSize,
        delegate* unmanaged<void*, int, NativeRecommendation*, int, void> callback, void* userData) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (callback is null)
            {
                throw new ArgumentException("callback must not be NULL.");
            }
            CallerStructs.CheckSize<NativeRecommendation>(itemSize, "item_size");
            // Arguments are copied and checked now, on the caller's thread; the work runs on a pool thread.
            string user = Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes);
            if (count is < 1 or > RecoClient.MaxRecommendations)
            {
                throw new ArgumentException($"count is {count}; it must be 1–{RecoClient.MaxRecommendations}.");
            }
            // The pending work holds the handle until its callback has returned, so odr_close waits for it.
            if (!box.TryAcquire())
            {
                return ErrorMessages.Fail(box, ResultCode.State, "The handle is being closed.");
            }
            nint state = (nint)userData;
            nint function = (nint)callback;
            ThreadPool.UnsafeQueueUserWorkItem(_ => CompleteAsync(box, user, count, itemSize, function, state), null);
            return ResultCode.Ok;
        });

    private static void CompleteAsync(ClientBox box, string user, int count, nuint itemSize, nint function, nint userData)
    {
        var callback = (delegate* unmanaged<void*, int, NativeRecommendation*, int, void>)function;
        NativeRecommendation* results = null;
        ThreadFrames<ClientBox>.Enter(box);
        try
        {
            var list = box.Client.Recommend(user, count);
            results = (NativeRecommendation*)NativeMemory.AllocZeroed((nuint)Math.Max(1, list.Count), itemSize);
            RecommendationCopy.Copy(list, results, itemSize);
            callback((void*)userData, ResultCode.Ok, results, list.Count);
        }
        catch (Exception e)
        {
            ErrorMessages.Fail(box, e);
            callback((void*)userData, ResultCode.From(e), null, 0);
        }
        finally
        {
            NativeMemory.Free(results);
            ThreadFrames<ClientBox>.Exit();
            box.Release();
        }
    }
}
