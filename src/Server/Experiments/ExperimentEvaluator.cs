using System.Collections.Concurrent;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// Looks at an experiment: reads its arms' metrics, computes the intervals, decides (<see cref="ExperimentJudge"/>)
/// and applies a promotion or rollback. Keeps each experiment's recent looks for the dashboard and /metrics.
/// </summary>
public sealed class ExperimentEvaluator(ServerOptions options, IExperimentStore store, ExperimentBook book, ModelRegistry registry, TimeProvider clock)
{
    private const int LooksKept = 500;
    private readonly ConcurrentDictionary<string, List<ExperimentEvaluation>> _looks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, int> _catalogueSizes = new();

    /// <summary>The recent looks at <paramref name="experimentId"/>, oldest first.</summary>
    public IReadOnlyList<ExperimentEvaluation> Looks(string experimentId)
    {
        if (!_looks.TryGetValue(experimentId, out var looks))
        {
            return [];
        }
        lock (looks)
        {
            return [.. looks];
        }
    }

    /// <summary>The latest look at each experiment this node evaluated.</summary>
    public IEnumerable<ExperimentEvaluation> Latest() =>
        _looks.Values.Select(looks =>
        {
            lock (looks)
            {
                return looks[^1];
            }
        });

    /// <summary>Evaluates every running experiment once, applying what it decides.</summary>
    public IReadOnlyList<ExperimentEvaluation> EvaluateRunning() => [.. book.All.Where(e => e.IsRunning).Select(e => Evaluate(e, apply: true))];

    /// <summary>
    /// Evaluates <paramref name="experiment"/>: each treatment against the control. When it runs and
    /// <paramref name="apply"/>, each losing treatment is rolled back alone and, when one or more win, the one whose
    /// always-valid lower bound is highest is promoted.
    /// </summary>
    public ExperimentEvaluation Evaluate(ExperimentDefinition experiment, bool apply)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var settings = options.Experiments;
        var (devices, shown) = ArmMetrics.Read(store, experiment, settings.TakeWindow);
        var control = Arm(experiment, ExperimentDefinition.ControlArm, devices, shown);
        // Bonferroni over the treatments the experiment started with: each comparison's always-valid interval holds at
        // every look with probability 1 − α/K, so all K hold at every look at once with probability ≥ 1 − α, however
        // the comparisons depend on each other (they share the control). K stays fixed when arms are rolled back.
        double alpha = settings.Alpha / experiment.Treatments.Count;
        var comparisons = experiment.Treatments.Select(t => Compare(experiment, t, control, Arm(experiment, t.Name, devices, shown), alpha)).ToList();
        var (decision, reason) = experiment.IsRunning ? Outcome(comparisons) : (experiment.Status, $"decided earlier ({experiment.Status})");
        if (apply && experiment.IsRunning)
        {
            Apply(experiment, comparisons);
        }
        var look = new ExperimentEvaluation(experiment.Id, clock.GetUtcNow(), control, comparisons, decision, reason);
        var looks = _looks.GetOrAdd(experiment.Id, _ => []);
        lock (looks)
        {
            looks.Add(look);
            if (looks.Count > LooksKept)
            {
                looks.RemoveAt(0);
            }
        }
        return look;
    }

    private ArmComparison Compare(ExperimentDefinition experiment, ExperimentTreatment arm, ArmResult control, ArmResult treatment, double alpha)
    {
        var settings = options.Experiments;
        double difference = treatment.TakeRate - control.TakeRate;
        double variance = treatment.TakeRateStdError * treatment.TakeRateStdError + control.TakeRateStdError * control.TakeRateStdError;
        // A difference of two rates lies in [-1, 1]: an arm without enough devices to estimate anything gives that.
        var (low, high) = Bounded(RatioStatistics.Interval95(difference, variance));
        var (sequentialLow, sequentialHigh) = Bounded(RatioStatistics.AlwaysValid(difference, variance, alpha, settings.MixingScale));
        string earlier = arm.IsRunning ? experiment.Status : arm.Status;
        var (decision, reason) = experiment.IsRunning && arm.IsRunning
            ? ExperimentJudge.Decide(control, treatment, sequentialLow, sequentialHigh, settings, alpha)
            : (earlier, $"decided earlier ({earlier})");
        return new ArmComparison(treatment, difference, low, high, sequentialLow, sequentialHigh, alpha, decision, reason);
    }

    /// <summary>The best winner, by its always-valid lower bound; null when none wins.</summary>
    private static ArmComparison? Winner(List<ArmComparison> comparisons) =>
        comparisons.Where(c => c.Decision == ExperimentBook.Promote).MaxBy(c => c.SequentialLow);

    /// <summary>The experiment's decision at this look: promote the best winner; else roll back when any treatment loses; else continue.</summary>
    private static (string Decision, string Reason) Outcome(List<ArmComparison> comparisons)
    {
        string reasons = string.Join("; ", comparisons.Select(c => $"{c.Treatment.Arm}: {c.Reason}"));
        if (comparisons.Count == 1)
        {
            return (comparisons[0].Decision, comparisons[0].Reason);
        }
        return Winner(comparisons) is { } best ? (ExperimentBook.Promote, $"{best.Treatment.Arm} promoted (highest lower bound among winners); {reasons}")
            : comparisons.Any(c => c.Decision == ExperimentBook.Rollback) ? (ExperimentBook.Rollback, reasons)
            : (ExperimentBook.Continue, reasons);
    }

    private void Apply(ExperimentDefinition experiment, List<ArmComparison> comparisons)
    {
        var current = experiment;
        foreach (var loser in comparisons.Where(c => c.Decision == ExperimentBook.Rollback))
        {
            current = book.Decide(current, ExperimentBook.Rollback, ExperimentBook.Automatic, loser.Reason, Single(experiment, loser));
        }
        if (Winner(comparisons) is { } best)
        {
            book.Decide(current, ExperimentBook.Promote, ExperimentBook.Automatic, best.Reason, Single(experiment, best));
        }
    }

    // A lone treatment's decision is the experiment's, logged as it always was.
    private static string? Single(ExperimentDefinition experiment, ArmComparison comparison) =>
        experiment.Treatments.Count == 1 ? null : comparison.Treatment.Arm;

    private static (double Low, double High) Bounded((double Low, double High) interval) =>
        (Math.Clamp(interval.Low, -1, 1), Math.Clamp(interval.High, -1, 1));

    private ArmResult Arm(ExperimentDefinition experiment, string arm, List<DeviceOutcome> devices, Dictionary<string, HashSet<string>> shown)
    {
        var onArm = devices.Where(d => d.Arm == arm).ToList();
        var (takeRate, variance) = RatioStatistics.Ratio([.. onArm.Select(d => ((double)d.Takes, (double)d.Impressions))]);
        long requests = onArm.Sum(d => d.Requests), plays = onArm.Sum(d => d.Plays);
        long version = experiment.VersionOf(arm);
        int catalogue = _catalogueSizes.GetOrAdd(version, v => registry.ReleaseOf(v) is null ? 0 : registry.VerifyPublished(v).Manifest.Items.Count);
        int itemsShown = shown[arm].Count;
        return new ArmResult(arm, version, onArm.Count, onArm.Sum(d => d.Impressions), onArm.Sum(d => d.Takes), requests, plays, itemsShown,
            takeRate, Math.Min(1, Math.Sqrt(variance)), requests > 0 ? (double)plays / requests : 0, catalogue > 0 ? (double)itemsShown / catalogue : 0);
    }
}
