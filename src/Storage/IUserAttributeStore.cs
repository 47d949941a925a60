using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Storage;

/// <summary>
/// Where synced user attributes live (part of every <see cref="IFeedbackStore"/>). One row per (device, user, key)
/// holding the change with the highest sequence id seen, so a resend or a late, older change stores nothing; a
/// removal keeps the row with no value, so an older "set" arriving after it cannot bring the value back.
/// Erasing a device (<see cref="IFeedbackStore.EraseDevice"/>) deletes its attributes too.
/// </summary>
public interface IUserAttributeStore
{
    /// <summary>Applies each change newer than what is stored for its (device, user, key), in one transaction.</summary>
    AttributeIngestResult IngestAttributes(AttributeBatch batch);

    /// <summary>Every attribute that has a value, in (device, user, key) order, for training.</summary>
    IEnumerable<StoredAttribute> ReadAttributes();

    /// <summary>
    /// Every distinct (device, user, query) of <see cref="EventType.Search"/> events, for training: only those rows,
    /// unsorted, so the cohort table does not cost a second ordered read of every event.
    /// </summary>
    IEnumerable<StoredSearch> ReadSearches();
}

/// <summary>One user's search, as training reads it.</summary>
public readonly record struct StoredSearch(string DeviceId, string UserId, string Query);

/// <summary>What one attribute batch did: changes stored, and changes that were not newer than what was stored.</summary>
public sealed record AttributeIngestResult(int Applied, int AlreadyApplied);

/// <summary>One stored attribute, as training reads it.</summary>
public readonly record struct StoredAttribute(string DeviceId, string UserId, string Key, string Value);
