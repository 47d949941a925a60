namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// A device's unsynced attribute changes, oldest first. Its own message kind and endpoint, so an event batch is
/// byte for byte what it was before attributes existed and a server without attributes keeps taking events.
/// </summary>
/// <param name="DeviceId">The device's random id.</param>
/// <param name="BatchId">Derived from the device and the change range (<see cref="BatchIds.DeriveAttributes"/>).</param>
/// <param name="Changes">Strictly increasing sequence ids.</param>
public sealed record AttributeBatch(string DeviceId, Guid BatchId, IReadOnlyList<AttributeChange> Changes)
{
    /// <summary>Builds a batch over <paramref name="changes"/> (at least one, in sequence order) with its derived id.</summary>
    public static AttributeBatch Create(string deviceId, IReadOnlyList<AttributeChange> changes)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            throw new ArgumentException("A batch holds at least one change.", nameof(changes));
        }
        return new AttributeBatch(deviceId, BatchIds.DeriveAttributes(deviceId, changes[0].Sequence, changes[^1].Sequence, changes.Count), changes);
    }

    /// <summary>The last change's sequence id.</summary>
    public long LastSequence => Changes[^1].Sequence;

    /// <summary>Record equality with the changes compared by content.</summary>
    public bool Equals(AttributeBatch? other) =>
        other is not null && DeviceId == other.DeviceId && BatchId == other.BatchId && Changes.SequenceEqual(other.Changes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DeviceId, BatchId, Changes.Count);
}

/// <summary>The server's answer to an attribute batch: every change up to <paramref name="AppliedThrough"/> is stored.</summary>
/// <param name="BatchId">The batch acknowledged.</param>
/// <param name="AppliedThrough">The batch's last sequence id.</param>
/// <param name="Applied">Changes that were newer than what the server had, and so were stored.</param>
/// <param name="AlreadyApplied">Changes the server had already (a resend) or had a newer change for: stored nothing.</param>
/// <param name="HighestSequence">
/// The highest change number the server holds for the device (0 from a server that predates it). Higher than the
/// device's own counter, it means the device's numbering went back — a store restored from a backup — and changes
/// numbered below it would be taken for old ones: the device then numbers its attributes anew above it and sends them again.
/// </param>
public sealed record AttributeAck(Guid BatchId, long AppliedThrough, int Applied, int AlreadyApplied, long HighestSequence = 0);
