namespace OnDeviceReco.Feedback;

/// <summary>What the store's readers see: totals, the training stream, and what the dashboard and exposure charts count.</summary>
public interface IFeedbackReader
{
    /// <summary>Totals, for health, metrics and the retraining threshold.</summary>
    FeedbackCounts Counts();

    /// <summary>Every stored event in (device, user, time, sequence) order, for training; user ids compared by their UTF-8 bytes.</summary>
    IEnumerable<StoredEvent> ReadEvents();

    /// <summary>
    /// First deliveries of batches received since <paramref name="since"/>, grouped into buckets of
    /// <paramref name="bucket"/> counted from <paramref name="since"/>; empty buckets are left out. Oldest first.
    /// </summary>
    IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket);

    /// <summary>
    /// Per item, how many devices have an impression of it stored: the <paramref name="limit"/> most shown items, most
    /// shown first (ties by the id's UTF-8 bytes). What devices explore against (<c>/v1/exposure</c>). Devices, not user ids: a client
    /// can name any number of users on one device, while device ids cost a registration each.
    /// </summary>
    IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit);
}

/// <summary>Store totals.</summary>
/// <param name="LatestEventId">Id of the newest stored event (ids only grow).</param>
public sealed record FeedbackCounts(long Events, long Devices, long Batches, long LatestEventId);

/// <summary>One stored event, as training reads it.</summary>
public readonly record struct StoredEvent(string DeviceId, string UserId, string ItemId, int Type, long TimestampMs, long Sequence, double Value);

/// <summary>Batches first delivered in one time bucket, the new events they stored and the devices that sent them.</summary>
public sealed record IngestBucket(DateTimeOffset Start, long Batches, long Events, long Devices);
