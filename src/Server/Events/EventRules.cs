using OnDeviceReco.Protocol.Events;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Events;

/// <summary>
/// What a well-formed batch must also satisfy to be stored: the shared <see cref="EventContract"/>, the same code
/// the device ran when the event was tracked. Timestamps are not refused for being in the future (the device's
/// clock may have been wrong): <see cref="DeviceClock"/> corrects them instead.
/// </summary>
public static class EventRules
{
    /// <summary>Longest device id a device may register with.</summary>
    public const int MaxDeviceIdLength = 128;

    /// <summary>Most refused sequence ids one answer lists; a device sets those aside and sends the rest again.</summary>
    public const int MaxListedViolations = 1000;

    /// <summary>The events that break the contract (at most <see cref="MaxListedViolations"/>), oldest first; empty when all are valid.</summary>
    public static IReadOnlyList<(long Sequence, EventViolation Violation)> Check(EventBatch batch)
    {
        List<(long, EventViolation)>? found = null;
        foreach (var e in batch.Events)
        {
            if (EventContract.CheckSynced(e.UserId, e.ItemId, e.Type, e.Value, e.TimestampMs, e.Context) is { } violation)
            {
                (found ??= []).Add((e.Sequence, violation));
                if (found.Count == MaxListedViolations)
                {
                    break;
                }
            }
        }
        return found ?? (IReadOnlyList<(long, EventViolation)>)[];
    }
}
