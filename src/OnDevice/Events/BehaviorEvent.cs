namespace OnDeviceReco;

/// <summary>One recorded user action, as stored on the device.</summary>
/// <param name="Sequence">Local, strictly increasing id; never reused, restarts at 1 only after <c>EraseAllData</c>.</param>
/// <param name="Timestamp">When the action happened.</param>
/// <param name="UserId">The profile that acted.</param>
/// <param name="ItemId">The item acted on.</param>
/// <param name="Type">What was done.</param>
/// <param name="Value">A rating, dwell seconds, price… 0 when the type carries none.</param>
/// <param name="Context">Small app-supplied context (screen, placement, request id), or empty.</param>
public sealed record BehaviorEvent(
    long Sequence,
    DateTimeOffset Timestamp,
    string UserId,
    string ItemId,
    EventType Type,
    double Value,
    IReadOnlyDictionary<string, string> Context);
