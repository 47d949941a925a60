using System.Diagnostics.Metrics;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// Experiment series for Prometheus, read from each experiment's latest look when a scraper collects: per arm the
/// take rate, plays per request, coverage and devices; per treatment arm its difference from the control and the interval bounds.
/// </summary>
public sealed class ExperimentGauges
{
    public ExperimentGauges(ServerMetrics metrics, ExperimentEvaluator evaluator)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("reco.experiment.take_rate", () => PerArm(evaluator, a => a.TakeRate), "1",
            "Impressions followed by a click, play or purchase of the item, by experiment and arm (latest look).");
        meter.CreateObservableGauge("reco.experiment.plays_per_request", () => PerArm(evaluator, a => a.PlaysPerRequest), "1",
            "Shown items played per answer shown, by experiment and arm (latest look).");
        meter.CreateObservableGauge("reco.experiment.coverage", () => PerArm(evaluator, a => a.Coverage), "1",
            "Distinct items shown / items in the arm's model, by experiment and arm (latest look).");
        meter.CreateObservableGauge("reco.experiment.devices", () => PerArm(evaluator, a => a.Devices), "{device}",
            "Devices with impressions on the arm, by experiment and arm (latest look).");
        meter.CreateObservableGauge("reco.experiment.difference", () => Difference(evaluator), "1",
            "Each treatment arm minus the control take rate (bound=estimate), its 95 % interval (ci95_low, ci95_high) and always-valid interval at α / treatments (sequential_low, sequential_high).");
    }

    private static IEnumerable<Measurement<double>> PerArm(ExperimentEvaluator evaluator, Func<ArmResult, double> value) =>
        evaluator.Latest().SelectMany(look => look.Comparisons.Select(c => c.Treatment).Prepend(look.Control).Select(arm => new Measurement<double>(value(arm),
            new KeyValuePair<string, object?>("experiment", look.ExperimentId), new KeyValuePair<string, object?>("arm", arm.Arm))));

    private static IEnumerable<Measurement<double>> Difference(ExperimentEvaluator evaluator) =>
        evaluator.Latest().SelectMany(look => look.Comparisons.SelectMany(c => new[]
        {
            ("estimate", c.Difference), ("ci95_low", c.Ci95Low), ("ci95_high", c.Ci95High),
            ("sequential_low", c.SequentialLow), ("sequential_high", c.SequentialHigh),
        }.Select(bound => new Measurement<double>(bound.Item2, new KeyValuePair<string, object?>("experiment", look.ExperimentId),
            new KeyValuePair<string, object?>("arm", c.Treatment.Arm), new KeyValuePair<string, object?>("bound", bound.Item1)))));
}
