namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// Bootstrap over users: each resample draws as many users as there are, with replacement, and a metric is the sum of
/// the drawn users' per-target values over the sum of their targets. Targets of one user are not independent (one
/// taste, one session), so users, not targets, are resampled. The same draws serve every model and segment, so a
/// ratio between two models is a paired comparison.
/// </summary>
public sealed class UserBootstrap
{
    private readonly int[][] _multiplicity;

    /// <param name="users">Number of users (indices 0..users−1).</param>
    public UserBootstrap(int users, int resamples = 1000, int seed = 12345)
    {
        var random = new Random(seed);
        _multiplicity = new int[resamples][];
        for (int b = 0; b < resamples; b++)
        {
            var counts = new int[users];
            for (int i = 0; i < users; i++)
            {
                counts[random.Next(users)]++;
            }
            _multiplicity[b] = counts;
        }
    }

    /// <summary>The 2.5th and 97.5th percentiles of Σ values ÷ Σ targets over resamples (resamples with no target skipped).</summary>
    public (double Low, double High) Interval(double[] values, double[] targets) =>
        Percentiles(_multiplicity.Select(m => Ratio(m, values, targets)).Where(double.IsFinite));

    /// <summary>The interval of metric A ÷ metric B over the same resamples (undefined resamples skipped).</summary>
    public (double Low, double High) RatioInterval(double[] valuesA, double[] targetsA, double[] valuesB, double[] targetsB) =>
        Percentiles(_multiplicity.Select(m => Ratio(m, valuesA, targetsA) / Ratio(m, valuesB, targetsB)).Where(double.IsFinite));

    private static double Ratio(int[] multiplicity, double[] values, double[] targets)
    {
        double sum = 0, count = 0;
        for (int u = 0; u < multiplicity.Length; u++)
        {
            if (multiplicity[u] != 0)
            {
                sum += multiplicity[u] * values[u];
                count += multiplicity[u] * targets[u];
            }
        }
        return count == 0 ? double.NaN : sum / count;
    }

    private static (double, double) Percentiles(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return (double.NaN, double.NaN);
        }
        double At(double q) => sorted[Math.Clamp((int)Math.Floor(q * (sorted.Length - 1) + 0.5), 0, sorted.Length - 1)];
        return (At(0.025), At(0.975));
    }
}
