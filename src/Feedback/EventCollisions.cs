using System.Text.Json;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback;

/// <summary>
/// Whether an event arriving under a (device, sequence) the store already holds is that event sent again or another
/// event under the same number. The second happens when a device's store is restored from a backup: it keeps its id,
/// its counter goes back, and it numbers new events as the server already has them. Both stores decide with this one
/// rule, and only for events that hit the unique key (rare): new events never pay for it.
/// </summary>
public static class EventCollisions
{
    /// <summary>
    /// How far the times of one event sent twice may lie apart and still be the same event. The server shifts a
    /// wrong-clock device's times by the clock difference it measures at each request (see the server's DeviceClock),
    /// and that measure moves with network delay between two deliveries; the same tolerance decides there that a clock
    /// is right. The price: a restored store that records, under the same number and within this time of the original,
    /// an event identical in everything else would see it taken for the original.
    /// </summary>
    public const long SameMomentMs = 120_000;

    /// <summary>True when <paramref name="incoming"/> is the event <paramref name="held"/> (what the store holds under its sequence).</summary>
    public static bool SameEvent(WireEvent incoming, HeldEvent held) =>
        incoming.UserId == held.UserId && incoming.ItemId == held.ItemId && incoming.Type == held.Type
        && incoming.Value.Equals(held.Value) && Int128.Abs((Int128)incoming.TimestampMs - held.TimestampMs) <= SameMomentMs
        && incoming.RequestId == held.RequestId && SameContext(incoming.Context, held.Context);

    /// <summary>
    /// The sequences of <paramref name="events"/> held with other content, in order. An event with nothing held under
    /// its sequence is not one: it was new (or stored by this very ingest).
    /// </summary>
    public static List<long> Conflicting(IEnumerable<WireEvent> events, IReadOnlyDictionary<long, HeldEvent> held) =>
        [.. events.Where(e => held.TryGetValue(e.Sequence, out var row) && !SameEvent(e, row)).Select(e => e.Sequence)];

    /// <summary>How a context is stored: JSON of its pairs, or null when empty.</summary>
    public static string? ContextJson(WireEvent e) => e.Context.Count == 0 ? null : JsonSerializer.Serialize(e.Context);

    private static bool SameContext(IReadOnlyDictionary<string, string> incoming, string? heldJson)
    {
        if (heldJson is null)
        {
            return incoming.Count == 0;
        }
        var held = JsonSerializer.Deserialize<Dictionary<string, string>>(heldJson) ?? [];
        return held.Count == incoming.Count && held.All(pair => incoming.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }
}

/// <summary>An event as a store holds it under (device, <paramref name="Sequence"/>), for <see cref="EventCollisions.SameEvent"/>.</summary>
public readonly record struct HeldEvent(long Sequence, long TimestampMs, string UserId, string ItemId, int Type, double Value, string? RequestId, string? Context);
