using System.Text.Json;

namespace OnDeviceReco.Trainer.Tests;

/// <summary>The cold-start measurement as a real process: JSON lines, and on a world where the attribute matters the cohort blend beats popularity while the uninformative attribute does not.</summary>
public sealed class ColdStartCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => TrainerProcess.Run(TimeSpan.FromMinutes(2), args);

    [Fact]
    public void Attribute_cohorts_beat_popularity_for_newcomers_when_the_attribute_matters_and_not_otherwise()
    {
        var (exit, output, error) = Run("cold-start", "--users", "4000", "--items", "500", "--runs", "2", "--seed", "7");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using var summary = JsonDocument.Parse(lines[^1]);
        double Mean(string key) => summary.RootElement.GetProperty(key).GetProperty("mean").GetDouble();
        Assert.Equal("synthetic", summary.RootElement.GetProperty("data").GetString());
        Assert.True(Mean("attribute_cold_hr@10") > Mean("popularity_cold_hr@10") * 1.2, lines[^1]);
        Assert.InRange(Mean("uninformative_attribute_cold_hr@10"), Mean("popularity_cold_hr@10") - 0.03, Mean("popularity_cold_hr@10") + 0.03);

        var (strengthZero, zeroOutput, _) = Run("cold-start", "--users", "4000", "--items", "500", "--runs", "1", "--strength", "0");
        Assert.Equal(0, strengthZero);
        using var none = JsonDocument.Parse(zeroOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        double NoneMean(string key) => none.RootElement.GetProperty(key).GetProperty("mean").GetDouble();
        // With an attribute that drives nothing, cohorts cannot know more than popularity.
        Assert.InRange(NoneMean("attribute_cold_hr@10"), NoneMean("popularity_cold_hr@10") - 0.03, NoneMean("popularity_cold_hr@10") + 0.03);
    }

    [Fact]
    public void A_bad_strength_is_a_usage_error()
    {
        var (exit, _, error) = Run("cold-start", "--strength", "1.5");
        Assert.Equal(2, exit);
        Assert.Contains("--strength", error, StringComparison.Ordinal);
    }
}
