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
    /// runs or its treatment was rolled back (it returns to the serving version). Drawn from the name the store holds
    /// the device under, so the metrics, which read only stored names, put its events in the same arm
    /// (<see cref="ArmMetrics"/>). A pseudonym key rotation draws every device again.
    /// </summary>
    public ExperimentArm? ArmOf(string deviceId)
    {
        if (Running is not { } running)
        {
            return null;
        }
        string arm = running.ArmOf(pseudonyms.Device(deviceId));
        return running.Treatment(arm) is { IsRunning: false } ? null : running.AssignmentFor(arm);
    }

    /// <summary>
    /// Whether <paramref name="deviceId"/> may download <paramref name="version"/>: a version that was an experiment's
    /// treatment and never promoted is for the devices the running experiment puts on it only; every other published
    /// version is for any device, as before experiments.
    /// </summary>
    public bool MayDownload(string deviceId, long version)
    {
        var tried = All.SelectMany(e => e.Treatments).Where(t => t.Version == version).ToList();
        if (tried.Count == 0 || tried.Any(t => t.Status == ExperimentDefinition.Promoted) || registry.Serving?.ModelVersion == version)
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
        return PublishTrial(bundle, metricsJson, reason + $"; tried on {share:P0} of devices first", [new TreatmentPlan(TreatmentPlan.ToPublish, share)], id: null).Release;
    }

    /// <summary>
    /// Publishes <paramref name="bundle"/> without serving it and starts the experiment trying it (the plan
    /// <see cref="TreatmentPlan.ToPublish"/>) with the other treatments of <paramref name="plans"/>, in one store
    /// transaction (closing the running experiment as superseded).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Check"/>.</exception>
    public (ModelRelease Release, ExperimentDefinition Experiment) PublishTrial(VerifiedBundle bundle, string metricsJson, string reason,
        IReadOnlyList<TreatmentPlan> plans, string? id)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(plans);
        if (plans.Count(p => p.Version == TreatmentPlan.ToPublish) != 1)
        {
            throw new ArgumentException("Exactly one treatment is the version being published.", nameof(plans));
        }
        long version = bundle.Manifest.ModelVersion;
        lock (_starting)
        {
            var (experiment, start) = Define([.. plans.Select(p => p.Version == TreatmentPlan.ToPublish ? p with { Version = version } : p)], id, publishing: version);
            var release = registry.Publish(bundle, metricsJson, reason, serve: false, start);
            Started(experiment, start);
            return (release, experiment);
        }
    }

    /// <summary>
    /// Starts trying published versions, each on its share of devices, against the serving version. A running
    /// experiment is closed first as superseded (in the same transaction): its devices return to the serving version.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Check"/>.</exception>
    public ExperimentDefinition Start(IReadOnlyList<TreatmentPlan> plans, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(plans);
        if (plans.Any(p => p.Version == TreatmentPlan.ToPublish))
        {
            throw new ArgumentException("Name a published version for every treatment.", nameof(plans));
        }
        lock (_starting)
        {
            var (experiment, start) = Define(plans, id, publishing: null);
            store.StartExperiment(start);
            Started(experiment, start);
            return experiment;
        }
    }

    // One start at a time on this node: two would both close the same running experiment.
    private readonly Lock _starting = new();

    /// <summary>
    /// Checks an experiment before anything is written or built for it: a version serves (the control); one or more
    /// treatments, each a distinct version other than the control that was published (or <see cref="TreatmentPlan.ToPublish"/>,
    /// once), each share in (0, 1) and their sum below 1 (some devices stay on the control to compare with); arm names
    /// and the id 1–64 characters of letters, digits, '.', '_' or '-', no arm named <c>control</c>, none twice.
    /// </summary>
    /// <exception cref="ArgumentException">When any of that does not hold.</exception>
    public void Check(IReadOnlyList<TreatmentPlan> plans, string? id) => _ = Checked(plans, id, publishing: null);

    private (long Control, List<ExperimentTreatment> Treatments) Checked(IReadOnlyList<TreatmentPlan> plans, string? id, long? publishing)
    {
        ArgumentNullException.ThrowIfNull(plans);
        long control = registry.Serving?.ModelVersion ?? throw new ArgumentException("No version serves yet: there is no control to compare with.");
        if (plans.Count == 0)
        {
            throw new ArgumentException("Name at least one treatment.", nameof(plans));
        }
        if (id is not null && !ExperimentArm.IsName(id))
        {
            throw new ArgumentException("An experiment id is 1-64 characters of letters, digits, '.', '_' or '-'.", nameof(id));
        }
        var treatments = new List<ExperimentTreatment>(plans.Count);
        foreach (var (plan, index) in plans.Select((p, i) => (p, i)))
        {
            if (plan.Version == control)
            {
                throw new ArgumentException($"Version {plan.Version} is the serving version.", nameof(plans));
            }
            if (plan.Share is <= 0 or >= 1 || !double.IsFinite(plan.Share))
            {
                throw new ArgumentException($"A treatment share must be between 0 and 1 (exclusive); got {plan.Share}.", nameof(plans));
            }
            string name = plan.Name ?? (plans.Count == 1 ? ExperimentDefinition.TreatmentArm : $"{ExperimentDefinition.TreatmentArm}-{index + 1}");
            if (!ExperimentArm.IsName(name) || name == ExperimentDefinition.ControlArm)
            {
                throw new ArgumentException($"An arm name is 1-64 characters of letters, digits, '.', '_' or '-', and not '{ExperimentDefinition.ControlArm}'; got '{name}'.", nameof(plans));
            }
            treatments.Add(new ExperimentTreatment(name, plan.Version, plan.Share));
        }
        double total = plans.Sum(p => p.Share);
        if (total >= 1)
        {
            throw new ArgumentException($"The treatments' shares add up to {total}; they must stay below 1, so that some devices stay on the control.", nameof(plans));
        }
        if (treatments.DistinctBy(t => t.Name).Count() < treatments.Count || treatments.DistinctBy(t => t.Version).Count() < treatments.Count)
        {
            throw new ArgumentException("Each treatment is a different version under a different arm name.", nameof(plans));
        }
        if (treatments.FirstOrDefault(t => t.Version != TreatmentPlan.ToPublish && t.Version != publishing && registry.ReleaseOf(t.Version) is null) is { } unknown)
        {
            throw new ArgumentException($"Version {unknown.Version} was never published.", nameof(plans));
        }
        return (control, treatments);
    }

    /// <summary>A new experiment trying <paramref name="plans"/> and what its start writes (closing the running one).</summary>
    private (ExperimentDefinition Experiment, ExperimentStart Start) Define(IReadOnlyList<TreatmentPlan> plans, string? id, long? publishing)
    {
        var (control, treatments) = Checked(plans, id, publishing);
        var now = clock.GetUtcNow();
        string versions = string.Join(", ", treatments.Select(t => $"v{t.Version}"));
        var closes = Running is { } running
            ? new ExperimentDecision(running.Id, now, ExperimentDefinition.Superseded, Automatic, $"{versions} started a new experiment")
            : null;
        string name = id ?? UniqueId($"{string.Join("-", treatments.Select(t => $"v{t.Version}"))}-vs-v{control}");
        var experiment = new ExperimentDefinition(name, ArmAssignment.NewSalt(), control, treatments, ExperimentDefinition.Running, now);
        return (experiment, new ExperimentStart(experiment.ToRecord(), closes, closes is null ? null : ExperimentDefinition.Superseded));
    }

    private void Started(ExperimentDefinition experiment, ExperimentStart start)
    {
        Forget();
        if (start.Closes is { } closed)
        {
            log.LogInformation("Experiment {Id}: {Decision} ({Actor}): {Detail}", closed.ExperimentId, closed.Decision, closed.Actor, closed.Detail);
        }
        log.LogInformation("Experiment {Id} started against v{Control}: {Treatments}", experiment.Id, experiment.ControlVersion,
            string.Join(", ", experiment.Treatments.Select(t => $"{t.Name} v{t.Version} on {t.Share:P0} of devices")));
    }

    /// <summary>
    /// Records <paramref name="decision"/> (<see cref="Promote"/>, <see cref="Rollback"/>, <see cref="Continue"/>, or
    /// superseded) on one treatment <paramref name="arm"/> or, when null, on the whole experiment, and applies it
    /// (<see cref="ExperimentDecisionRule"/>). Returns the experiment as it now stands.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown decision or arm, or promote without an arm when there are several treatments.</exception>
    /// <exception cref="InvalidOperationException">When it would run this experiment while another runs, or the experiment was changed meanwhile on another node.</exception>
    public ExperimentDefinition Decide(ExperimentDefinition experiment, string decision, string actor, string detail, string? arm = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var (decided, serving) = ExperimentDecisionRule.Apply(experiment, decision, arm);
        if (decided.IsRunning && !experiment.IsRunning && Running is { } other && other.Id != experiment.Id)
        {
            throw new InvalidOperationException($"Experiment {other.Id} is running; only one runs at a time.");
        }
        string logged = arm is null ? detail : $"{arm}: {detail}";
        string updated = decided.ToRecord().Definition;
        store.RecordDecision(new ExperimentDecision(experiment.Id, clock.GetUtcNow(), decision, actor, logged), decided.Status, serving,
            new DefinitionChange(experiment.Stored ?? experiment.ToRecord().Definition, updated));
        registry.ServingChanged();
        Forget();
        log.LogInformation("Experiment {Id}: {Decision} ({Actor}): {Detail}", experiment.Id, decision, actor, logged);
        return decided with { Stored = updated };
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
