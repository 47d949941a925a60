namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>One number of a model's report line: its JSON key and how to read it from a run.</summary>
public sealed record ReportMetric(string Key, Func<ModelReport, double> Read);

/// <summary>The numbers every run reports, in report order, and their summary over seeds.</summary>
public static class ReportMetrics
{
    public static IReadOnlyList<ReportMetric> All { get; } =
    [
        new("hr@10", r => r.Test.HitRate10),
        new("ndcg@10", r => r.Test.Ndcg10),
        new("mrr", r => r.Test.Mrr),
        new("recall@20", r => r.Test.Recall20),
        new("sampled_hr@10", r => r.Test.SampledHitRate10),
        new("sampled_ndcg@10", r => r.Test.SampledNdcg10),
        new("coverage@10", r => r.Test.Coverage10),
        new("diversity@10", r => r.Test.Diversity10),
        new("novelty@10", r => r.Test.Novelty10),
        new("epochs", r => r.Training?.EpochsRun ?? 0),
        new("best_epoch", r => r.Training?.BestEpoch ?? 0),
        new("validation_ndcg@10", r => r.Training?.BestValidationNdcg10 is { } v && double.IsFinite(v) ? v : 0),
        new("train_seconds", r => r.Training?.TrainSeconds ?? 0),
        new("seconds_per_epoch", r => r.Training?.SecondsPerEpoch ?? 0),
    ];

    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? 0 : values.Average();

    /// <summary>Sample standard deviation (n − 1 in the denominator); 0 for a single run, which has no spread to estimate.</summary>
    public static double SampleSd(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }
        double mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
