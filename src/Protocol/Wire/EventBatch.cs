namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// A device's unsynced events, oldest first, sent as one request. <see cref="BatchId"/> is the idempotency key:
/// the same batch delivered twice is stored once and acknowledged twice.
/// </summary>
/// <param name="DeviceId">The device's random id (changes when the device erases its data).</param>
/// <param name="BatchId">Derived from the device id, the sequence range and the events (<see cref="BatchIds.Derive"/>), so a resend after a restart reuses it.</param>
/// <param name="FirstSequence">Sequence id of the first event.</param>
/// <param name="LastSequence">Sequence id of the last event.</param>
/// <param name="Events">Strictly increasing sequence ids from <paramref name="FirstSequence"/> to <paramref name="LastSequence"/> (gaps allowed: local-only events stay home).</param>
public sealed record EventBatch(
    string DeviceId,
    Guid BatchId,
    long FirstSequence,
    long LastSequence,
    IReadOnlyList<WireEvent> Events)
{
    /// <summary>Builds a batch over <paramref name="events"/> (at least one, in sequence order) with its derived id.</summary>
    public static EventBatch Create(string deviceId, IReadOnlyList<WireEvent> events)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("A batch holds at least one event.", nameof(events));
        }
        long first = events[0].Sequence;
        long last = events[^1].Sequence;
        return new EventBatch(deviceId, BatchIds.Derive(deviceId, events), first, last, events);
    }

    /// <summary>Record equality with the events compared by content.</summary>
    public bool Equals(EventBatch? other) =>
        other is not null && DeviceId == other.DeviceId && BatchId == other.BatchId
        && FirstSequence == other.FirstSequence && LastSequence == other.LastSequence
        && Events.SequenceEqual(other.Events);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DeviceId, BatchId, FirstSequence, LastSequence, Events.Count);
}
