namespace OnDeviceReco.Feedback;

/// <summary>
/// Online experiments' records: each experiment's definition and status, the decisions taken on it (automatic or by
/// the operator), and the synced impressions and outcomes their metrics are computed from. The store keeps the
/// definition as the server wrote it; what arms and shares mean is the server's business.
/// </summary>
public interface IExperimentStore
{
    /// <summary>Adds an experiment.</summary>
    /// <exception cref="ExperimentExistsException">When an experiment with that id exists.</exception>
    void AddExperiment(ExperimentRecord experiment);

    /// <summary>
    /// Starts an experiment in one transaction: the decision closing the one it replaces (when
    /// <see cref="ExperimentStart.Closes"/> is set) with that experiment's new status, and the new experiment's row.
    /// </summary>
    /// <exception cref="ExperimentExistsException">When an experiment with the new id exists (nothing is written).</exception>
    void StartExperiment(ExperimentStart start);

    /// <summary>Every experiment, oldest first.</summary>
    IReadOnlyList<ExperimentRecord> Experiments();

    /// <summary>
    /// Records a decision in one transaction: the decision row, the experiment's new status, when
    /// <paramref name="definition"/> is set its new definition (a treatment's own status changed), and when
    /// <paramref name="servingVersion"/> is set the serving pointer (a promotion serves the treatment to everyone;
    /// reversing it serves the control again).
    /// </summary>
    /// <exception cref="ExperimentChangedException">When the stored definition is no longer <see cref="DefinitionChange.Expected"/> (nothing is written).</exception>
    void RecordDecision(ExperimentDecision decision, string newStatus, long? servingVersion, DefinitionChange? definition = null);

    /// <summary>The decisions on <paramref name="experimentId"/>, oldest first.</summary>
    IReadOnlyList<ExperimentDecision> Decisions(string experimentId);

    /// <summary>
    /// Impressions, clicks, plays and purchases stored with a time at or after <paramref name="sinceMs"/>, in (device,
    /// user, time, sequence) order, as they arrive.
    /// </summary>
    IEnumerable<ExperimentEvent> ReadExperimentEvents(long sinceMs);
}

/// <summary>An experiment as stored: its definition (JSON written by the server) and where it stands.</summary>
public sealed record ExperimentRecord(string Id, string Definition, string Status, DateTimeOffset StartedAt);

/// <summary>
/// A new experiment and, when one was running, the decision that closes it (<paramref name="ClosedStatus"/> is that
/// experiment's status afterwards): written together, so no reader sees two running or the old one closed with no successor.
/// </summary>
public sealed record ExperimentStart(ExperimentRecord Experiment, ExperimentDecision? Closes = null, string? ClosedStatus = null);

/// <summary>
/// A definition rewritten by a decision, only if it still is <paramref name="Expected"/>: two nodes deciding on
/// different arms at once must not lose one decision to the other.
/// </summary>
public sealed record DefinitionChange(string Expected, string Updated);

/// <summary>One decision on an experiment.</summary>
/// <param name="Actor"><c>automatic</c> (the sequential test) or <c>operator</c>.</param>
/// <param name="Detail">Why, with the numbers the decision saw.</param>
public sealed record ExperimentDecision(string ExperimentId, DateTimeOffset At, string Decision, string Actor, string Detail);

/// <summary>An impression or an outcome as experiment metrics read it; <paramref name="Context"/> is the stored JSON.</summary>
public readonly record struct ExperimentEvent(string DeviceId, string UserId, string ItemId, int Type, long TimestampMs, string? RequestId, string? Context);

/// <summary>An experiment id used twice.</summary>
public sealed class ExperimentExistsException(string id) : Exception($"Experiment '{id}' already exists.")
{
    public string Id { get; } = id;
}

/// <summary>An experiment's definition changed since it was read (another node decided first): read it again and decide again.</summary>
public sealed class ExperimentChangedException(string id) : Exception($"Experiment '{id}' changed since it was read; nothing was written.")
{
    public string Id { get; } = id;
}
