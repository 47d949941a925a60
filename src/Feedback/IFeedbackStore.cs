using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback;

/// <summary>
/// Where synced feedback and the model registry's records live. SQLite fills it by default; a production
/// database can fill it instead. Implementations must store each (device, sequence) at most once and make a
/// batch's events and its idempotency record visible together or not at all.
/// </summary>
public interface IFeedbackStore : IUserAttributeStore, IDisposable
{
    /// <summary>
    /// Stores a batch once. A batch id seen before with the same content stores nothing and is answered as replayed
    /// (all events already stored, or conflicting as they were the first time). An event whose (device, sequence) is
    /// held already is compared with what is held (<see cref="EventCollisions"/>): the same event is already stored, another
    /// one is reported conflicting and not written. Only such events pay for the comparison.
    /// </summary>
    /// <exception cref="BatchConflictException">When the batch id was seen before with different content.</exception>
    IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash);

    /// <summary><see cref="Ingest"/> for a store that can wait for its database without holding a thread (the server's request path).</summary>
    /// <exception cref="BatchConflictException">When the batch id was seen before with different content.</exception>
    Task<IngestResult> IngestAsync(EventBatch batch, byte[] contentHash) => Task.FromResult(Ingest(batch, contentHash));

    /// <summary>
    /// Binds <paramref name="deviceId"/> to <paramref name="secretHash"/> if it has no binding yet, else compares
    /// (in constant time). Atomic: two first registrations racing for one id cannot both bind.
    /// </summary>
    DeviceBinding BindDevice(string deviceId, ReadOnlySpan<byte> secretHash);

    /// <summary>
    /// Deletes every event and batch record stored for the device; returns how many events went. The device's
    /// binding to its secret stays, so nobody else can take the id over afterwards.
    /// </summary>
    long EraseDevice(string deviceId);

    /// <summary>Totals, for health, metrics and the retraining threshold.</summary>
    FeedbackCounts Counts();

    /// <summary>Every stored event in (device, user, time, sequence) order, for training.</summary>
    IEnumerable<StoredEvent> ReadEvents();

    /// <summary>Records a model version (published or rejected) and its evaluation.</summary>
    void RecordModel(ModelRecord model);

    /// <summary>Every model version recorded, oldest first.</summary>
    IReadOnlyList<ModelRecord> Models();

    /// <summary>
    /// Publishes a version in one transaction: its record, the package devices download, and (when
    /// <paramref name="serve"/>) the serving pointer. Every node serving from this store then offers the same bytes.
    /// </summary>
    /// <exception cref="ModelVersionTakenException">When the version was already published (by this or another node).</exception>
    void PublishModel(ModelRecord record, byte[] package, bool serve);

    /// <summary>The package of a published version, or null.</summary>
    byte[]? ModelPackage(long version);

    /// <summary>
    /// The right to retrain, held by at most one node at a time; null when another node holds it. Dispose releases it;
    /// a node that dies releases it with its connection, so another node takes over.
    /// </summary>
    ITrainingLease? TryAcquireTrainingLease();

    /// <summary>Makes <paramref name="version"/> the one devices get (publish or roll back).</summary>
    void SetServing(long version);

    /// <summary>The version devices get, or null before the first publication.</summary>
    long? ServingVersion();

    /// <summary>Records what one retraining run did (published, kept back or failed), for the operator's dashboard.</summary>
    void RecordRun(RetrainingRun run);

    /// <summary>The newest <paramref name="limit"/> retraining runs, newest first.</summary>
    IReadOnlyList<RetrainingRun> Runs(int limit);

    /// <summary>
    /// First deliveries of batches received since <paramref name="since"/>, grouped into buckets of
    /// <paramref name="bucket"/> counted from <paramref name="since"/>; empty buckets are left out. Oldest first.
    /// </summary>
    IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket);

    /// <summary>
    /// Per item, how many devices have an impression of it stored: the <paramref name="limit"/> most shown items, most
    /// shown first (ties by id). What devices explore against (<c>/v1/exposure</c>). Devices, not user ids: a client
    /// can name any number of users on one device, while device ids cost a registration each.
    /// </summary>
    IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit);

    /// <summary>The newest event id the last training saw; the threshold counts events after it.</summary>
    long TrainedThrough { get; set; }
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

/// <summary>Store totals.</summary>
/// <param name="LatestEventId">Id of the newest stored event (ids only grow).</param>
public sealed record FeedbackCounts(long Events, long Devices, long Batches, long LatestEventId);

/// <summary>One stored event, as training reads it.</summary>
public readonly record struct StoredEvent(string DeviceId, string UserId, string ItemId, int Type, long TimestampMs, long Sequence, double Value);

/// <summary>A trained model version and what became of it.</summary>
public sealed record ModelRecord(long Version, DateTimeOffset CreatedAt, bool Published, string Metrics, string Reason);

/// <summary>The right to retrain (see <see cref="IFeedbackStore.TryAcquireTrainingLease"/>).</summary>
public interface ITrainingLease : IDisposable
{
    /// <summary>False once the lease was lost (its connection dropped): the holder must not publish.</summary>
    bool IsHeld { get; }
}

/// <summary>A model version published twice: two trainers raced, and the later one must not replace what devices already got.</summary>
public sealed class ModelVersionTakenException(long version) : Exception($"Model version {version} was already published.")
{
    public long Version { get; } = version;
}

/// <summary>One retraining run as the dashboard shows it.</summary>
/// <param name="Outcome"><see cref="RetrainingRun.Published"/>, <see cref="RetrainingRun.KeptBack"/> or <see cref="RetrainingRun.Failed"/>.</param>
/// <param name="Version">The candidate's version; null when the run failed before one was made.</param>
/// <param name="Detail">Why: the gate's comparison, or the error.</param>
public sealed record RetrainingRun(DateTimeOffset Started, double Seconds, string Outcome, long? Version, int Epochs,
    double? CandidateNdcg10, double? BaselineNdcg10, string? Baseline, string Detail)
{
    public const string Published = "published";
    public const string KeptBack = "kept_back";
    public const string Failed = "failed";
}

/// <summary>Batches first delivered in one time bucket, the new events they stored and the devices that sent them.</summary>
public sealed record IngestBucket(DateTimeOffset Start, long Batches, long Events, long Devices);

/// <summary>A batch id reused for different content: a client bug or a forged request, never a retry.</summary>
public sealed class BatchConflictException(Guid batchId)
    : Exception($"Batch {batchId} was already stored with different content.")
{
    public Guid BatchId { get; } = batchId;
}
