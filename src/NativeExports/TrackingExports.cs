using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_track, odr_flush and odr_record_feedback: recording what the user did.</summary>
internal static unsafe class TrackingExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_track")]
    public static int OdrTrack(nint handle, byte* userId, byte* itemId, int type, double value, long timestampMs) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (timestampMs < 0)
            {
                throw new ArgumentException("timestamp_ms is negative.");
            }
            var outcome = box.Client.Track(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(itemId, "item_id", InputLimits.MaxIdBytes),
                (EventType)type, value,
                timestampMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(timestampMs));
            return outcome switch
            {
                TrackOutcome.Accepted => ResultCode.Ok,
                TrackOutcome.ConsentRevoked => ErrorMessages.Fail(box, ResultCode.NoConsent, "Consent is revoked: the event was not recorded."),
                _ => ErrorMessages.Fail(box, ResultCode.Full, "The event queue is full: the disk is not keeping up; the event was not recorded."),
            };
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_flush")]
    public static int OdrFlush(nint handle) => ClientCalls.WithClient(handle, box =>
    {
        box.Client.Flush();
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_record_feedback")]
    public static int OdrRecordFeedback(nint handle, byte* userId, NativeRecommendation* item, int eventType) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (item is null)
            {
                throw new ArgumentException("item must not be NULL.");
            }
            var outcome = box.Client.TrackFeedback(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(item->RequestId, "item->request_id", NativeRecommendation.RequestIdBytes - 1),
                Utf8Strings.Read(item->ItemId, "item->item_id", InputLimits.MaxIdBytes),
                item->Rank, (RecommendationSource)item->Source, (EventType)eventType);
            return outcome == TrackOutcome.Accepted ? ResultCode.Ok
                : ErrorMessages.Fail(box, outcome == TrackOutcome.ConsentRevoked ? ResultCode.NoConsent : ResultCode.Full, $"Feedback not recorded: {outcome}.");
        });
}
