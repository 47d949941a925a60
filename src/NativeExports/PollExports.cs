using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// Recommendations for single-threaded hosts (game loops, LuaJIT, GDScript): odr_recommend_start queues the work
/// and returns a request handle; the host polls it on its own thread once per frame. No host code ever runs on a
/// library thread, unlike odr_recommend_async's callback, which such runtimes cannot accept.
/// </summary>
internal static unsafe class PollExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_recommend_start")]
    public static int OdrRecommendStart(nint handle, byte* userId, int count, nint* outRequest)
    {
        try
        {
            if (outRequest is not null)
            {
                *outRequest = 0;
            }
            return ClientCalls.WithClient(handle, box =>
            {
                if (outRequest is null)
                {
                    throw new ArgumentException("out_request must not be NULL.");
                }
                // Arguments are copied and checked now, on the caller's thread: a bad one fails here, not at poll.
                string user = Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes);
                if (count is < 1 or > RecoClient.MaxRecommendations)
                {
                    throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be 1–{RecoClient.MaxRecommendations}.");
                }
                var request = new PendingRequest();
                box.Queue(request);
                *outRequest = HandleTable<PendingRequest>.Add(request);
                ThreadPool.UnsafeQueueUserWorkItem(_ => Run(request, box, user, count), null);
                return ResultCode.Ok;
            });
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    /// <summary>
    /// The work, on a pool thread. It holds the client only while it runs, so odr_close waits for a request being
    /// computed (one model run) but not for those still queued: the disposal cancels them (see <see cref="ClientBox"/>).
    /// Catches everything: an exception on a pool thread would end the host process.
    /// </summary>
    private static void Run(PendingRequest request, ClientBox box, string user, int count)
    {
        try
        {
            if (request.State != PendingRequest.Pending)
            {
                box.Forget(request); // canceled or freed before it ran: the client is not touched
                return;
            }
            if (!box.TryAcquire())
            {
                return; // closed: the disposal, which cannot have run before this request was queued, canceled it
            }
            box.Forget(request);
            ThreadFrames<ClientBox>.Enter(box);
            try
            {
                var list = box.Client.Recommend(user, count);
                var items = new NativeRecommendation[list.Count];
                fixed (NativeRecommendation* target = items)
                {
                    RecommendationCopy.Copy(list, target, (nuint)sizeof(NativeRecommendation));
                }
                request.Complete(ResultCode.Ok, items, "");
            }
            catch (Exception e)
            {
                request.Complete(ResultCode.From(e), [], ResultCode.Unwrap(e).Message);
            }
            finally
            {
                ThreadFrames<ClientBox>.Exit();
                box.Release();
            }
        }
        catch (Exception e)
        {
            request.Complete(ResultCode.Internal, [], e.Message);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_poll")]
    public static int OdrPoll(nint handle, NativeRecommendation* results, int capacity, nuint itemSize, int* outCount)
    {
        try
        {
            if (outCount is not null)
            {
                *outCount = 0;
            }
            var request = HandleTable<PendingRequest>.Find(handle);
            if (request is null)
            {
                return ErrorMessages.Fail(null, ResultCode.State, "Not a live odr_request handle (NULL, freed, or not from odr_recommend_start).");
            }
            if (results is null || outCount is null || capacity < 1)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "results and out_count must not be NULL and capacity must be at least 1.");
            }
            CallerStructs.CheckSize<NativeRecommendation>(itemSize, "item_size");
            switch (request.State)
            {
                case PendingRequest.Pending:
                    return ResultCode.Pending; // not a failure: no message is stored, the frame goes on
                case PendingRequest.Done when request.Result == ResultCode.Ok:
                    var items = request.Items;
                    int n = Math.Min(items.Length, capacity);
                    for (int i = 0; i < n; i++)
                    {
                        CallerStructs.Write(results, itemSize, i, items[i]);
                    }
                    *outCount = n;
                    return ResultCode.Ok;
                default:
                    return ErrorMessages.Fail(null, request.Result, request.Message);
            }
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_request_cancel")]
    public static int OdrRequestCancel(nint handle)
    {
        try
        {
            var request = HandleTable<PendingRequest>.Find(handle);
            if (request is null)
            {
                return ErrorMessages.Fail(null, ResultCode.State, "Not a live odr_request handle (NULL, freed, or not from odr_recommend_start).");
            }
            request.Cancel("The request was canceled by odr_request_cancel.");
            return ResultCode.Ok;
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_request_free")]
    public static int OdrRequestFree(nint handle)
    {
        try
        {
            if (handle == 0)
            {
                return ResultCode.Ok; // like free(NULL)
            }
            var request = HandleTable<PendingRequest>.Remove(handle);
            if (request is null)
            {
                return ErrorMessages.Fail(null, ResultCode.State, "Not a live odr_request handle (already freed, or not from odr_recommend_start).");
            }
            // Work still queued for it sees the cancel and skips the client; work already running drops its answer.
            request.Cancel("The request was freed.");
            return ResultCode.Ok;
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }
}
