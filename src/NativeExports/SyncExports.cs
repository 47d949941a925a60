using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_sync: events to the server, a newer model back.</summary>
internal static unsafe class SyncExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_sync")]
    public static int OdrSync(nint handle, NativeSyncResult* outResult, nuint resultSize) => ClientCalls.WithClient(handle, box =>
    {
        if (outResult is null)
        {
            throw new ArgumentException("out_result must not be NULL.");
        }
        CallerStructs.CheckSize<NativeSyncResult>(resultSize, "result_size", NativeSyncResult.FirstLayoutSize);
        CallerStructs.Write(outResult, resultSize, 0, default(NativeSyncResult));
        var result = box.Client.Sync();
        CallerStructs.Write(outResult, resultSize, 0, new NativeSyncResult
        {
            Status = (int)result.Status,
            EventsSent = result.EventsSent,
            EventsAlreadyOnServer = result.EventsAlreadyOnServer,
            EventsSetAside = result.EventsSetAside,
            EventsRenumbered = result.EventsRenumbered,
            Batches = result.Batches,
            Attempts = result.Attempts,
            HttpStatus = result.HttpStatus ?? 0,
            ModelVersion = result.ModelVersion ?? 0,
            ModelUpdated = result.ModelUpdated ? 1 : 0,
            RetryAfterMs = result.RetryAfter is { } wait ? (int)Math.Min(int.MaxValue, wait.TotalMilliseconds) : 0,
            ErasedOnServer = result.ErasedOnServer,
            ErasuresPending = result.ErasuresPending,
        });
        return result.Status switch
        {
            SyncStatus.Completed => ResultCode.Ok,
            SyncStatus.NoConsent => ErrorMessages.Fail(box, ResultCode.NoConsent, result.Error ?? "Consent is not granted."),
            SyncStatus.Unreachable => ErrorMessages.Fail(box, ResultCode.Io, result.Error ?? "The server could not be reached."),
            _ => ErrorMessages.Fail(box, ResultCode.Refused, result.Error ?? "The server refused the sync."),
        };
    });
}
