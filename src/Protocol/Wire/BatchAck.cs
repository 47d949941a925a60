namespace OnDeviceReco.Protocol.Wire;

/// <summary>The server's answer to an event batch: everything up to <paramref name="AcceptedThrough"/> is stored.</summary>
/// <param name="BatchId">The batch acknowledged.</param>
/// <param name="AcceptedThrough">The batch's last sequence id: the device may mark every event up to it synced, except <paramref name="Conflicting"/> ones.</param>
/// <param name="Stored">Events newly stored by this request.</param>
/// <param name="AlreadyStored">Events the server already had, with the same content (a resend); stored once, counted here.</param>
/// <param name="Replayed">True when this exact batch had been accepted before: nothing was stored this time (Stored 0, every event AlreadyStored or Conflicting).</param>
/// <param name="HighestSequence">
/// The highest sequence id the server holds for the device, sent when some event of the batch hit one it holds (0
/// otherwise, and from a server that predates it). Higher than the device's own counter, it means the device's
/// numbering went back — a store restored from a backup — and the device numbers its next events above it.
/// </param>
/// <param name="Conflicting">
/// Sequence ids of the batch the server already holds with other content: another event under the same number (a
/// restored store numbering again from its backup). Nothing was stored for them; the device numbers them anew above
/// <paramref name="HighestSequence"/> and sends them again. Null (none) from a server that predates it.
/// </param>
public sealed record BatchAck(Guid BatchId, long AcceptedThrough, int Stored, int AlreadyStored, bool Replayed,
    long HighestSequence = 0, IReadOnlyList<long>? Conflicting = null)
{
    /// <summary>
    /// Request header a device sends to say it reads <see cref="HighestSequence"/> and <see cref="Conflicting"/>. A
    /// server answers devices without it with the first five fields alone (their reader takes exactly five), counting
    /// conflicting events as already stored, as it always did for them.
    /// </summary>
    public const string ConflictsHeader = "X-Ack-Conflicts";

    /// <summary>The sequence ids stored with other content (empty when none).</summary>
    public IReadOnlyList<long> ConflictingSequences => Conflicting ?? [];

    /// <summary>Record equality with the conflicting ids compared by content (null and empty alike).</summary>
    public bool Equals(BatchAck? other) =>
        other is not null && BatchId == other.BatchId && AcceptedThrough == other.AcceptedThrough && Stored == other.Stored
        && AlreadyStored == other.AlreadyStored && Replayed == other.Replayed && HighestSequence == other.HighestSequence
        && ConflictingSequences.SequenceEqual(other.ConflictingSequences);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(BatchId, AcceptedThrough, Stored, AlreadyStored, Replayed, HighestSequence, ConflictingSequences.Count);
}
