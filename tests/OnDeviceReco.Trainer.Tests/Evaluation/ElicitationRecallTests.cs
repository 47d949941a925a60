using OnDeviceReco.Trainer.Evaluation;

namespace OnDeviceReco.Trainer.Tests;

/// <summary>The onboarding measure: recall against a known set, and the paired bootstrap on inputs whose ratio is known.</summary>
public sealed class ElicitationRecallTests
{
    [Fact]
    public void Recall_counts_the_relevant_items_within_the_first_k_once_over_all_relevant()
    {
        var relevant = new HashSet<string>(StringComparer.Ordinal) { "b", "d", "x", "y" };
        Assert.Equal(0.25, ElicitationRecall.RecallAt(["a", "b", "c", "d"], relevant, k: 3)); // d is 4th: beyond k
        Assert.Equal(0.5, ElicitationRecall.RecallAt(["a", "b", "c", "d"], relevant, k: 10));
        Assert.Equal(0.25, ElicitationRecall.RecallAt(["b", "b", "b"], relevant, k: 10)); // a repeated item is found once
        Assert.Equal(0, ElicitationRecall.RecallAt(["a"], new HashSet<string>(), k: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElicitationRecall.RecallAt(["a"], relevant, k: 0));
    }

    [Fact]
    public void Every_resample_of_newcomers_with_twice_the_recall_gives_a_ratio_of_exactly_two()
    {
        var summary = ElicitationRecall.Summarise([0.2, 0.4, 0.6, 0.1], [0.1, 0.2, 0.3, 0.05]);
        Assert.Equal(4, summary.Users);
        Assert.Equal(0.325, summary.OnboardingRecall, 12);
        Assert.Equal(0.1625, summary.PopularityRecall, 12);
        Assert.Equal(2, summary.Ratio, 12);
        Assert.Equal(2, summary.RatioLow, 12);
        Assert.Equal(2, summary.RatioHigh, 12);
    }

    [Fact]
    public void Two_newcomers_who_disagree_give_an_interval_from_zero_to_one()
    {
        // Resamples draw (a, a): popularity finds nothing, skipped; (a, b): ratio 1; (b, b): ratio 0.
        var summary = ElicitationRecall.Summarise([1.0, 0.0], [0.0, 1.0]);
        Assert.Equal(1, summary.Ratio, 12);
        Assert.Equal(0, summary.RatioLow);
        Assert.Equal(1, summary.RatioHigh);
    }

    [Fact]
    public void Lists_of_other_newcomers_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ElicitationRecall.Summarise([0.1, 0.2], [0.1]));
        Assert.Equal(0, ElicitationRecall.Summarise([], []).Users);
    }
}
