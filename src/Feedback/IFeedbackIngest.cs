using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback;

/// <summary>
/// What the device API writes: event batches (each stored once), device bindings, and erasure. Implementations must
/// store each (device, sequence) at most once and make a batch's events and its idempotency record visible together
/// or not at all.
/// </summary>
public interface IFeedbackIngest
{
    /// <summary>
    /// Stores a batch once. A batch id seen before with the same content stores nothing and is answered as replayed
    /// (all events already stored, or conflicting as they were the first time). An event whose (device, sequence) is
    /// held already is compared with what is held (<see cref="EventCollisions"/>): the same event is already stored, another
    /// one is reported conflicting and not written. Only such events pay for the comparison.
    /// </summary>
    /// <exception cref="BatchConflictException">When the batch id was seen before with different content.</exception>
    /// <exception cref="DeviceErasedException">When the batch's device was erased.</exception>
    IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash);

    /// <summary><see cref="Ingest"/> for a store that can wait for its database without holding a thread (the server's request path).</summary>
    /// <exception cref="BatchConflictException">When the batch id was seen before with different content.</exception>
    Task<IngestResult> IngestAsync(EventBatch batch, byte[] contentHash) => Task.FromResult(Ingest(batch, contentHash));

    /// <summary>
    /// Binds <paramref name="deviceId"/> to <paramref name="secretHash"/> if it has no binding yet, else compares
    /// (in constant time). Atomic: two first registrations racing for one id cannot both bind. An erased id is
    /// never bound again (<see cref="DeviceBinding.Erased"/>).
    /// </summary>
    DeviceBinding BindDevice(string deviceId, ReadOnlySpan<byte> secretHash);

    /// <summary>
    /// Deletes every event, batch record and attribute stored for the device, and the device's row with its id;
    /// returns how many events went. What stays is a marker (<see cref="ErasureMarkers"/>) by which the id is refused
    /// from then on: its registration (<see cref="DeviceBinding.Erased"/>) and its batches
    /// (<see cref="DeviceErasedException"/>), so nobody — a store restored from a backup, a stranger — brings data back
    /// under it or takes it over. Erasing again, or an id never seen, erases nothing and leaves the marker.
    /// </summary>
    long EraseDevice(string deviceId);
}

/// <summary>What a registration found.</summary>
public enum DeviceBinding
{
    /// <summary>The id was new (or had no secret yet): it is now bound to the presented secret.</summary>
    Bound,
    /// <summary>The presented secret is the one the id is bound to.</summary>
    Matched,
    /// <summary>The id is bound to another secret: whoever asks is not that device.</summary>
    Mismatch,
    /// <summary>The id was erased (<see cref="IFeedbackIngest.EraseDevice"/>): nothing is bound or taken under it again.</summary>
    Erased,
}

/// <summary>What one ingest did.</summary>
/// <param name="Stored">Events newly stored.</param>
/// <param name="AlreadyStored">Events the store held already under the same (device, sequence) with the same content: a resend.</param>
/// <param name="Replayed">The batch id was seen before with the same content: nothing was stored this time.</param>
/// <param name="AcceptedThrough">The batch's last sequence id.</param>
/// <param name="HighestSequence">
/// The highest sequence the store holds for the device; looked up only when an event hit a (device, sequence) held
/// already, else 0, so a batch of new events costs nothing more.
/// </param>
/// <param name="Conflicting">
/// Sequences held already with other content (<see cref="EventCollisions"/>): another event under the same number,
/// from a store restored from a backup. Nothing was written for them. Null when none.
/// </param>
public sealed record IngestResult(int Stored, int AlreadyStored, bool Replayed, long AcceptedThrough,
    long HighestSequence = 0, IReadOnlyList<long>? Conflicting = null)
{
    /// <summary>The conflicting sequences (empty when none).</summary>
    public IReadOnlyList<long> ConflictingSequences => Conflicting ?? [];

    /// <summary>Record equality with the conflicting sequences compared by content (null and empty alike).</summary>
    public bool Equals(IngestResult? other) =>
        other is not null && Stored == other.Stored && AlreadyStored == other.AlreadyStored && Replayed == other.Replayed
        && AcceptedThrough == other.AcceptedThrough && HighestSequence == other.HighestSequence
        && ConflictingSequences.SequenceEqual(other.ConflictingSequences);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Stored, AlreadyStored, Replayed, AcceptedThrough, HighestSequence, ConflictingSequences.Count);
}

/// <summary>A batch id reused for different content: a client bug or a forged request, never a retry.</summary>
public sealed class BatchConflictException(Guid batchId)
    : Exception($"Batch {batchId} was already stored with different content.")
{
    public Guid BatchId { get; } = batchId;
}
