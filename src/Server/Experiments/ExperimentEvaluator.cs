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

    /// <summary>Evaluates <paramref name="experiment"/>; a promotion or rollback is applied only when it runs and <paramref name="apply"/>.</summary>
    public ExperimentEvaluation Evaluate(ExperimentDefinition experiment, bool apply)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var settings = options.Experiments;
        var (devices, shown) = ArmMetrics.Read(store, experiment, settings.TakeWindow);
        var control = Arm(experiment, ExperimentDefinition.ControlArm, devices, shown);
        var treatment = Arm(experiment, ExperimentDefinition.TreatmentArm, devices, shown);
        double difference = treatment.TakeRate - control.TakeRate;
        double variance = treatment.TakeRateStdError * treatment.TakeRateStdError + control.TakeRateStdError * control.TakeRateStdError;
        // A difference of two rates lies in [-1, 1]: an arm without enough devices to estimate anything gives that.
        var (low, high) = Bounded(RatioStatistics.Interval95(difference, variance));
        var (sequentialLow, sequentialHigh) = Bounded(RatioStatistics.AlwaysValid(difference, variance, settings.Alpha, settings.MixingScale));
        var (decision, reason) = ExperimentJudge.Decide(control, treatment, sequentialLow, sequentialHigh, settings);
        var look = new ExperimentEvaluation(experiment.Id, clock.GetUtcNow(), control, treatment, difference, low, high, sequentialLow, sequentialHigh,
            experiment.IsRunning ? decision : experiment.Status, experiment.IsRunning ? reason : $"decided earlier ({experiment.Status})");
        if (apply && experiment.IsRunning && decision != ExperimentBook.Continue)
        {
            book.Decide(experiment, decision, ExperimentBook.Automatic, reason);
        }
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
