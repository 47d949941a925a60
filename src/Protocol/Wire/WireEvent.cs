namespace OnDeviceReco.Protocol.Wire;

/// <summary>One device event as it travels to the server.</summary>
/// <param name="Sequence">The device's local sequence id; with the device id it names the event exactly once.</param>
/// <param name="TimestampMs">Unix milliseconds when the action happened.</param>
/// <param name="UserId">The profile that acted (the app's id, never a name or email).</param>
/// <param name="ItemId">The item acted on.</param>
/// <param name="Type">The SDK's event type number (1–10 built in, 1000–1999 app-defined).</param>
/// <param name="Value">Rating, dwell seconds, price… 0 when the type carries none.</param>
/// <param name="Context">
/// Small app context. Impressions and the clicks that follow them carry <c>request_id</c>, <c>rank</c> and
/// <c>source</c> here, which is how the server learns what was shown and what was taken.
/// </param>
public sealed record WireEvent(
    long Sequence,
    long TimestampMs,
    string UserId,
    string ItemId,
    int Type,
    double Value,
    IReadOnlyDictionary<string, string> Context)
{
    /// <summary>Context key naming the recommendation request an impression or click belongs to.</summary>
    public const string RequestIdKey = "request_id";

    /// <summary>Context key with the item's 0-based position in that answer.</summary>
    public const string RankKey = "rank";

    /// <summary>Context key with what produced the item (model, content, popularity).</summary>
    public const string SourceKey = "source";

    /// <summary>An empty context, shared.</summary>
    public static IReadOnlyDictionary<string, string> NoContext { get; } = new Dictionary<string, string>(0);

    /// <summary>The request id linking an impression or click to the answer that showed the item, or null.</summary>
    public string? RequestId => Context.TryGetValue(RequestIdKey, out var id) ? id : null;

    /// <summary>Record equality with the context compared by content (the generated one compares references).</summary>
    public bool Equals(WireEvent? other) =>
        other is not null && Sequence == other.Sequence && TimestampMs == other.TimestampMs && UserId == other.UserId
        && ItemId == other.ItemId && Type == other.Type && Value.Equals(other.Value)
        && Context.Count == other.Context.Count
        && Context.All(pair => other.Context.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Sequence, TimestampMs, UserId, ItemId, Type, Value, Context.Count);
}
