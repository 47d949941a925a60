namespace OnDeviceReco.Feedback;

/// <summary>
/// The model registry's records and the retraining bookkeeping: model versions and their packages, the serving
/// pointer, the retraining lease, the runs the dashboard lists and how far training has read.
/// </summary>
public interface IModelRegistryStore
{
    /// <summary>Records a model version (published or rejected) and its evaluation.</summary>
    void RecordModel(ModelRecord model);

    /// <summary>Every model version recorded, oldest first.</summary>
    IReadOnlyList<ModelRecord> Models();

    /// <summary>
    /// Publishes a version in one transaction: its record, the package devices download, (when
    /// <paramref name="serve"/>) the serving pointer, and (with <paramref name="trial"/>) the experiment that tries it
    /// (<see cref="IExperimentStore.StartExperiment"/>). Every node serving from this store then offers the same bytes,
    /// and none sees the version published before its experiment runs.
    /// </summary>
    /// <exception cref="ModelVersionTakenException">When the version was already published (by this or another node); nothing is written.</exception>
    /// <exception cref="ExperimentExistsException">When the trial's experiment id exists; nothing is written.</exception>
    void PublishModel(ModelRecord record, byte[] package, bool serve, ExperimentStart? trial = null);

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

    /// <summary>The newest event id the last training saw; the threshold counts events after it.</summary>
    long TrainedThrough { get; set; }
}

/// <summary>A trained model version and what became of it.</summary>
public sealed record ModelRecord(long Version, DateTimeOffset CreatedAt, bool Published, string Metrics, string Reason);

/// <summary>The right to retrain (see <see cref="IModelRegistryStore.TryAcquireTrainingLease"/>).</summary>
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
