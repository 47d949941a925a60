using OnDeviceReco.Trainer.Evaluation.TimeSplit;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>
/// Newcomers' onboarding measured as elicitation studies do: each newcomer's list is judged against <em>all</em> of
/// their ratings not used as answers (recall@k = found ÷ how many there are), and popularity is judged on exactly the
/// same sets. One held-out rating per newcomer gives a hit or a miss, too few hits to tell two onboardings apart.
/// </summary>
public static class ElicitationRecall
{
    /// <summary>The share of <paramref name="relevant"/> among the first <paramref name="k"/> of <paramref name="ranked"/>; 0 when nothing is relevant.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="k"/> is below 1.</exception>
    public static double RecallAt(IEnumerable<string> ranked, IReadOnlySet<string> relevant, int k = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return relevant.Count == 0 ? 0 : ranked.Take(k).Distinct(StringComparer.Ordinal).Count(relevant.Contains) / (double)relevant.Count;
    }

    /// <summary>
    /// Mean recall of each side over the newcomers, and the ratio onboarding ÷ popularity with a bootstrap 95% interval
    /// (newcomers resampled with replacement, both sides on the same draws: a paired comparison).
    /// </summary>
    /// <param name="onboarding">Each newcomer's recall after onboarding.</param>
    /// <param name="popularity">The same newcomers' recall with popularity, index for index.</param>
    /// <exception cref="ArgumentException">When the two lists differ in length.</exception>
    public static ElicitationSummary Summarise(IReadOnlyList<double> onboarding, IReadOnlyList<double> popularity, int resamples = 1000, int seed = 12345)
    {
        if (onboarding.Count != popularity.Count)
        {
            throw new ArgumentException($"{onboarding.Count} onboarding recalls but {popularity.Count} popularity ones: both must be the same newcomers.", nameof(popularity));
        }
        int n = onboarding.Count;
        if (n == 0)
        {
            return new ElicitationSummary(0, 0, 0, double.NaN, double.NaN, double.NaN);
        }
        double onboardingMean = onboarding.Average(), popularityMean = popularity.Average();
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        var (low, high) = new UserBootstrap(n, resamples, seed).RatioInterval(onboarding.ToArray(), ones, popularity.ToArray(), ones);
        return new ElicitationSummary(n, onboardingMean, popularityMean, popularityMean == 0 ? double.NaN : onboardingMean / popularityMean, low, high);
    }
}

/// <summary>Onboarding against popularity over one set of newcomers.</summary>
/// <param name="Users">Newcomers measured.</param>
/// <param name="OnboardingRecall">Mean recall@k after onboarding.</param>
/// <param name="PopularityRecall">Mean recall@k of popularity on the same sets.</param>
/// <param name="Ratio">Onboarding ÷ popularity (NaN when popularity found nothing).</param>
/// <param name="RatioLow">2.5th percentile of the ratio over bootstrap resamples of newcomers.</param>
/// <param name="RatioHigh">97.5th percentile.</param>
public sealed record ElicitationSummary(int Users, double OnboardingRecall, double PopularityRecall, double Ratio, double RatioLow, double RatioHigh);
