using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Protocol;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// The experiments and their decisions: which arm a device is on, which versions it may download, starting an
/// experiment for a new version, and deciding one (promote, roll back, continue). The store holds everything, so
/// every node answers alike (this node's view is at most <see cref="Refresh"/> old).
/// </summary>
public sealed class ExperimentBook(ServerOptions options, IExperimentStore store, ModelRegistry registry, IdPseudonyms pseudonyms, TimeProvider clock,
    ILogger<ExperimentBook> log)
{
    public const string Automatic = "automatic";
    public const string Operator = "operator";
    public const string Promote = "promote";
    public const string Rollback = "rollback";
    public const string Continue = "continue";

    /// <summary>How stale this node's view of the experiments may be.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private IReadOnlyList<ExperimentDefinition> _all = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    /// <summary>Every experiment, oldest first.</summary>
    public IReadOnlyList<ExperimentDefinition> All
    {
        get
        {
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                if (now - _readAt >= Refresh)
                {
                    _all = [.. store.Experiments().Select(ExperimentDefinition.FromRecord)];
                    _readAt = now;
                }
                return _all;
            }
        }
    }

    public ExperimentDefinition? Find(string id) => All.FirstOrDefault(e => e.Id == id);

    /// <summary>The running experiment (at most one runs at a time), or null.</summary>
    public ExperimentDefinition? Running => All.LastOrDefault(e => e.IsRunning);

    /// <summary>
    /// The arm <paramref name="deviceId"/> (as the device sends it) is on in the running experiment, or null when none
    /// runs. Drawn from the name the store holds the device under, so the metrics, which read only stored names, put
    /// its events in the same arm (<see cref="ArmMetrics"/>). A pseudonym key rotation draws every device again.
    /// </summary>
    public ExperimentArm? ArmOf(string deviceId) =>
        Running is { } running ? running.AssignmentFor(running.ArmOf(pseudonyms.Device(deviceId))) : null;

    /// <summary>
    /// Whether <paramref name="deviceId"/> may download <paramref name="version"/>: a version that was an experiment's
    /// treatment and never promoted is for the devices the running experiment puts on it only; every other published
    /// version is for any device, as before experiments.
    /// </summary>
    public bool MayDownload(string deviceId, long version)
    {
        var experiments = All;
        if (!experiments.Any(e => e.TreatmentVersion == version) || experiments.Any(e => e.TreatmentVersion == version && e.Status == ExperimentDefinition.Promoted)
            || registry.Serving?.ModelVersion == version)
        {
            return true;
        }
        return ArmOf(deviceId) is { } arm && arm.ModelVersion == version;
    }

    /// <summary>
    /// Publishes a version that passed the offline gate. With a serving version and
    /// <see cref="ExperimentOptions.NewVersionShare"/> above 0 it is tried first: published without serving, on that
    /// share of devices in a new experiment — the version and its experiment in one store transaction, so no reader on
    /// any node sees the version published with no experiment trying it; otherwise it serves everyone at once.
    /// </summary>
    public ModelRelease PublishNewVersion(VerifiedBundle bundle, string metricsJson, string reason)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        double share = options.Experiments.NewVersionShare;
        if (share <= 0 || registry.Serving is null)
        {
            return registry.Publish(bundle, metricsJson, reason, serve: true);
        }
        return PublishTrial(bundle, metricsJson, reason + $"; tried on {share:P0} of devices first", share, id: null).Release;
    }

    /// <summary>
    /// Publishes <paramref name="bundle"/> without serving it and starts the experiment trying it on
    /// <paramref name="share"/> of devices, in one store transaction (closing the running experiment as superseded).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Start"/>, except that the version is not published yet.</exception>
    public (ModelRelease Release, ExperimentDefinition Experiment) PublishTrial(VerifiedBundle bundle, string metricsJson, string reason, double share, string? id)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        lock (_starting)
        {
            var (experiment, start) = Define(bundle.Manifest.ModelVersion, share, id);
            var release = registry.Publish(bundle, metricsJson, reason, serve: false, start);
            Started(experiment, start);
            return (release, experiment);
        }
    }

    /// <summary>
    /// Starts trying <paramref name="treatmentVersion"/> on <paramref name="share"/> of devices against the serving
    /// version. A running experiment is closed first as superseded (in the same transaction): its devices return to
    /// the serving version.
    /// </summary>
    /// <exception cref="ArgumentException">When there is no serving version, the treatment is it or was never published, or the share is outside (0, 1).</exception>
    public ExperimentDefinition Start(long treatmentVersion, double share, string? id = null)
    {
        lock (_starting)
        {
            var (experiment, start) = Define(treatmentVersion, share, id);
            if (registry.PackageBytes(treatmentVersion) is null)
            {
                throw new ArgumentException($"Version {treatmentVersion} was never published.", nameof(treatmentVersion));
            }
            store.StartExperiment(start);
            Started(experiment, start);
            return experiment;
        }
    }

    // One start at a time on this node: two would both close the same running experiment.
    private readonly Lock _starting = new();

    /// <summary>A new experiment trying <paramref name="treatmentVersion"/> and what its start writes (closing the running one).</summary>
    private (ExperimentDefinition Experiment, ExperimentStart Start) Define(long treatmentVersion, double share, string? id)
    {
        long control = registry.Serving?.ModelVersion ?? throw new ArgumentException("No version serves yet: there is no control to compare with.");
        if (treatmentVersion == control)
        {
            throw new ArgumentException($"Version {treatmentVersion} is the serving version.", nameof(treatmentVersion));
        }
        if (share is <= 0 or >= 1 || !double.IsFinite(share))
        {
            throw new ArgumentException($"The treatment share must be between 0 and 1 (exclusive); got {share}.", nameof(share));
        }
        if (id is not null && !ExperimentArm.IsName(id))
        {
            throw new ArgumentException("An experiment id is 1-64 characters of letters, digits, '.', '_' or '-'.", nameof(id));
        }
        var now = clock.GetUtcNow();
        var closes = Running is { } running
            ? new ExperimentDecision(running.Id, now, ExperimentDefinition.Superseded, Automatic, $"version {treatmentVersion} started a new experiment")
            : null;
        string name = id ?? UniqueId($"v{treatmentVersion}-vs-v{control}");
        var experiment = new ExperimentDefinition(name, ArmAssignment.NewSalt(), control, treatmentVersion, share, ExperimentDefinition.Running, now);
        return (experiment, new ExperimentStart(experiment.ToRecord(), closes, closes is null ? null : ExperimentDefinition.Superseded));
    }

    private void Started(ExperimentDefinition experiment, ExperimentStart start)
    {
        Forget();
        if (start.Closes is { } closed)
        {
            log.LogInformation("Experiment {Id}: {Decision} ({Actor}): {Detail}", closed.ExperimentId, closed.Decision, closed.Actor, closed.Detail);
        }
        log.LogInformation("Experiment {Id} started: v{Treatment} on {Share:P0} of devices against v{Control}", experiment.Id,
            experiment.TreatmentVersion, experiment.TreatmentShare, experiment.ControlVersion);
    }

    /// <summary>
    /// Records <paramref name="decision"/> (<see cref="Promote"/>, <see cref="Rollback"/>, <see cref="Continue"/>, or
    /// superseded) and applies it: promote serves the treatment to everyone; rollback and continue serve the control
    /// (reversing a promotion), continue runs the experiment again. Returns the experiment as it now stands.
    /// </summary>
    public ExperimentDefinition Decide(ExperimentDefinition experiment, string decision, string actor, string detail)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var (status, serving) = decision switch
        {
            Promote => (ExperimentDefinition.Promoted, experiment.TreatmentVersion),
            Rollback => (ExperimentDefinition.RolledBack, experiment.ControlVersion),
            Continue => (ExperimentDefinition.Running, experiment.ControlVersion),
            ExperimentDefinition.Superseded => (ExperimentDefinition.Superseded, (long?)null),
            _ => throw new ArgumentException($"Unknown decision '{decision}': use {Promote}, {Rollback} or {Continue}.", nameof(decision)),
        };
        if (decision == Continue && Running is { } other && other.Id != experiment.Id)
        {
            throw new ArgumentException($"Experiment {other.Id} is running; only one runs at a time.", nameof(decision));
        }
        store.RecordDecision(new ExperimentDecision(experiment.Id, clock.GetUtcNow(), decision, actor, detail), status, serving);
        registry.ServingChanged();
        Forget();
        log.LogInformation("Experiment {Id}: {Decision} ({Actor}): {Detail}", experiment.Id, decision, actor, detail);
        return experiment with { Status = status };
    }

    public IReadOnlyList<ExperimentDecision> Decisions(string id) => store.Decisions(id);

    private string UniqueId(string wanted)
    {
        var taken = All.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        string id = wanted;
        for (int n = 2; taken.Contains(id); n++)
        {
            id = $"{wanted}-{n}";
        }
        return id;
    }

    private void Forget()
    {
        lock (_gate)
        {
            _readAt = DateTimeOffset.MinValue;
        }
    }
}
