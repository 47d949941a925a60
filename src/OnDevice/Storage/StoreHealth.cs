namespace OnDeviceReco;

/// <summary>How the store came up at open.</summary>
public enum StoreOpenState
{
    /// <summary>An existing database was opened (and migrated if it was older).</summary>
    Opened = 0,
    /// <summary>No database existed; a new one was created.</summary>
    Created = 1,
    /// <summary>The existing file was damaged; it was moved aside and a new one created.</summary>
    RecoveredFromCorruption = 2,
}

/// <summary>Observable health of the store: how it opened and the last write failure, if any.</summary>
/// <param name="OpenState">How the store came up.</param>
/// <param name="RecoveryReason">What was wrong with the damaged file, when it was recovered.</param>
/// <param name="MovedAsidePath">Where the damaged file was moved, when it was recovered.</param>
/// <param name="MigratedFromVersion">Schema version found at open (0 for a new file).</param>
/// <param name="LastWriteError">The last commit failure, or null; cleared by the next successful commit.</param>
public sealed record StoreHealth(
    StoreOpenState OpenState,
    string? RecoveryReason,
    string? MovedAsidePath,
    int MigratedFromVersion,
    string? LastWriteError);

/// <summary>Counters of the store since it was opened (evictions: since the file was created).</summary>
/// <param name="Accepted">Events accepted by Track.</param>
/// <param name="Written">Events committed to disk.</param>
/// <param name="Pending">Events accepted but not yet committed.</param>
/// <param name="DroppedQueueFull">Events refused because the queue was full.</param>
/// <param name="DroppedNoConsent">Events refused because consent was revoked.</param>
/// <param name="Evicted">Events evicted by retention over the life of this database file.</param>
/// <param name="StoredEvents">Events currently in the database.</param>
/// <param name="RefusedBySync">
/// Events the server refused for good and the device set aside so the rest keep syncing, over the life of this
/// database file (events an older SDK let through, or that a newer server no longer accepts).
/// </param>
public sealed record StoreStatistics(
    long Accepted,
    long Written,
    long Pending,
    long DroppedQueueFull,
    long DroppedNoConsent,
    long Evicted,
    long StoredEvents,
    long RefusedBySync);
