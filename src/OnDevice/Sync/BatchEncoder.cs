using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// Reads the next unsynced events from the store and encodes them as one batch within the event and byte caps, with
/// only the fields the app lets leave the device (<see cref="SyncedFields"/>): this is the one place they are chosen.
/// </summary>
internal sealed class BatchEncoder(BehaviorStore store, int maxBatchBytes, SyncedFields fields)
{
    /// <summary>The next batch of at most <paramref name="maxEvents"/> events after <paramref name="after"/>, or null when nothing is pending.</summary>
    public PreparedBatch? Next(long after, int maxEvents)
    {
        var events = store.GetUnsyncedEvents(after, maxEvents);
        return events.Count == 0 ? null : Encode(store.DeviceId, events);
    }

    private PreparedBatch Encode(string deviceId, IReadOnlyList<BehaviorEvent> events)
    {
        int count = events.Count;
        while (true)
        {
            var wire = new WireEvent[count];
            for (int i = 0; i < count; i++)
            {
                wire[i] = fields.ToWire(events[i]);
            }
            var batch = EventBatch.Create(deviceId, wire);
            byte[] body = WireCodec.Encode(batch);
            if (body.Length <= maxBatchBytes || count == 1)
            {
                return new PreparedBatch(batch, body);
            }
            count = Math.Max(1, count / 2);
        }
    }
}

/// <summary>A batch and its encoded body, ready to send.</summary>
internal sealed record PreparedBatch(EventBatch Batch, byte[] Body);
