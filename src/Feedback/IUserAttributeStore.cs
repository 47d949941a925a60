using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback;

/// <summary>
/// Where synced user attributes live (part of every <see cref="IFeedbackStore"/>). One row per (device, user, key)
/// holding the change with the highest sequence id seen, so a resend or a late, older change stores nothing; a
/// removal keeps the row with no value, so an older "set" arriving after it cannot bring the value back.
/// A user holds at most <c>InputLimits.MaxUserAttributes</c> (32) values (and as many
/// remembered removals) whatever the batches: beyond that the oldest changes are dropped (see <see cref="AttributeIngest"/>).
/// Erasing a device (<see cref="IFeedbackIngest.EraseDevice"/>) deletes its attributes too.
/// </summary>
public interface IUserAttributeStore
{
    /// <summary>
    /// Applies each change newer than what is stored for its (device, user, key), then keeps each user of the batch
    /// to the newest <c>InputLimits.MaxUserAttributes</c> (32) values, all in one transaction.
    /// </summary>
    AttributeIngestResult IngestAttributes(AttributeBatch batch);

    /// <summary>Every attribute that has a value, in (device, user, key) order, for training; user ids and keys compared by their UTF-8 bytes.</summary>
    IEnumerable<StoredAttribute> ReadAttributes();

    /// <summary>
    /// Every distinct (device, user, query) of <see cref="EventType.Search"/> events, for training: only those rows,
    /// unsorted, so the cohort table does not cost a second ordered read of every event.
    /// </summary>
    IEnumerable<StoredSearch> ReadSearches();
}

/// <summary>One user's search, as training reads it.</summary>
public readonly record struct StoredSearch(string DeviceId, string UserId, string Query);

/// <summary>What one attribute batch did.</summary>
/// <param name="Applied">Changes stored.</param>
/// <param name="AlreadyApplied">Changes that were not newer than what was stored (resends, late deliveries).</param>
/// <param name="Evicted">Values dropped because their user held more than the cap (the oldest changes go first).</param>
/// <param name="HighestSequence">
/// The highest change number the store has ever kept for the device. Above the device's own counter it means the
/// device's counter went back (a store restored from a backup): the device then numbers its changes anew above it.
/// </param>
public sealed record AttributeIngestResult(int Applied, int AlreadyApplied, int Evicted, long HighestSequence);

/// <summary>One stored attribute, as training reads it.</summary>
public readonly record struct StoredAttribute(string DeviceId, string UserId, string Key, string Value);
