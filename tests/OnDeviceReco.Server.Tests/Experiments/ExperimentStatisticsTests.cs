using Xunit.Abstractions;
using OnDeviceReco.Server.Experiments;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>
/// The intervals and the sequential test, checked by simulation: devices with their own take rates (players differ)
/// and their own numbers of impressions, takes drawn for each impression. The truth is known, so coverage and error
/// rates are counted, not assumed.
/// </summary>
public sealed class ExperimentStatisticsTests(ITestOutputHelper output)
{
    private const int Runs = 1_000;

    /// <summary>Rounds of visits in the main command's shape (its --visits default).</summary>
    private const int Visits = 5;

    [Theory]
    [InlineData(0.0)]  // A/A: both arms the same model
    [InlineData(0.02)] // a real difference of two points
    public void The_95_percent_interval_holds_the_true_difference_in_93_to_97_percent_of_1000_experiments(double trueDifference)
    {
        var random = new Random(20261207);
        int covered = 0;
        for (int run = 0; run < Runs; run++)
        {
            var control = Arm(random, 300, 0.10);
            var treatment = Arm(random, 300, 0.10 + trueDifference);
            var (c, cv) = RatioStatistics.Ratio(control);
            var (t, tv) = RatioStatistics.Ratio(treatment);
            var (low, high) = RatioStatistics.Interval95(t - c, cv + tv);
            covered += low <= trueDifference && trueDifference <= high ? 1 : 0;
        }
        output.WriteLine($"true difference {trueDifference}: the 95 % interval held it in {covered} of {Runs} experiments");
        Assert.InRange(covered / (double)Runs, 0.93, 0.97);
    }

    [Fact]
    public void Looking_after_every_sync_the_sequential_test_decides_wrongly_in_at_most_5_percent_of_1000_AA_experiments()
    {
        var options = new ExperimentOptions { MinDevicesPerArm = 20, MinImpressionsPerArm = 0 };
        var random = new Random(7);
        int sequentialErrors = 0, peekingErrors = 0;
        for (int run = 0; run < Runs; run++)
        {
            var (sequential, peeking) = Monitor(random, options, controlRate: 0.10, treatmentRate: 0.10);
            sequentialErrors += sequential != ExperimentBook.Continue ? 1 : 0;
            peekingErrors += peeking ? 1 : 0;
        }
        output.WriteLine($"A/A, 20 looks: sequential test decided {sequentialErrors} of {Runs}; a fixed 95 % interval at every look {peekingErrors}");
        Assert.True(sequentialErrors / (double)Runs <= 0.05, $"{sequentialErrors} of {Runs} A/A experiments were decided");
        // What the always-valid interval is for: the fixed 95 % interval, looked at as often, is fooled far more often.
        Assert.True(peekingErrors > 2 * sequentialErrors && peekingErrors / (double)Runs > 0.05,
            $"fixed interval at every look: {peekingErrors} errors; sequential: {sequentialErrors}");
    }

    /// <summary>
    /// Control and two treatments, all three the same (A/A/A), looked at as <see cref="Monitor"/> does: an experiment
    /// goes wrong when either treatment is decided at any look. Each comparison at α/2 (Bonferroni) keeps that
    /// family-wise rate at α; each at α, as if the treatments were two experiments, may reach twice that.
    /// </summary>
    [Fact]
    public void With_two_treatments_the_familywise_false_positive_rate_of_1000_AAA_experiments_looked_at_20_times_is_at_most_5_percent()
    {
        var options = new ExperimentOptions { MinDevicesPerArm = 20, MinImpressionsPerArm = 0 };
        var random = new Random(2028);
        int familyErrors = 0, uncorrectedErrors = 0, firstOnly = 0;
        for (int run = 0; run < Runs; run++)
        {
            var (corrected, uncorrected, first) = MonitorArms(random, options, [0.10, 0.10, 0.10]);
            familyErrors += corrected ? 1 : 0;
            uncorrectedErrors += uncorrected ? 1 : 0;
            firstOnly += first ? 1 : 0;
        }
        output.WriteLine($"A/A/A, 20 looks: some treatment decided in {familyErrors} of {Runs} at α/2 per comparison; {uncorrectedErrors} at α per comparison"
            + $" (the first treatment alone at α: {firstOnly})");
        Assert.True(familyErrors / (double)Runs <= 0.05, $"{familyErrors} of {Runs} A/A/A experiments decided a treatment");
        // The correction costs something only where it must: more runs go wrong without it than with it.
        Assert.True(uncorrectedErrors >= familyErrors, $"uncorrected {uncorrectedErrors}, corrected {familyErrors}");
    }

    /// <summary>
    /// A/A/A in the main command's shape (the same devices, 300 per arm, visit after visit, a look after every round,
    /// the server's default settings): at most 5 % of 1,000 experiments decide either treatment.
    /// </summary>
    [Fact]
    public void With_two_treatments_looked_at_after_every_round_of_visits_at_most_5_percent_of_1000_AAA_experiments_decide()
    {
        var options = new ExperimentOptions();
        var random = new Random(2929);
        int familyErrors = 0;
        for (int run = 0; run < Runs; run++)
        {
            familyErrors += RevisitsArms(random, options, [0.04, 0.04, 0.04]) ? 1 : 0;
        }
        output.WriteLine($"A/A/A, {Visits} rounds of visits, 300 devices per arm: some treatment decided in {familyErrors} of {Runs}");
        Assert.True(familyErrors / (double)Runs <= 0.05, $"{familyErrors} of {Runs} A/A/A experiments decided a treatment");
    }

    [Fact]
    public void A_broken_candidate_is_rolled_back_and_a_clearly_better_one_promoted()
    {
        var options = new ExperimentOptions { MinDevicesPerArm = 20, MinImpressionsPerArm = 0 };
        var random = new Random(11);
        int rolledBack = 0, promoted = 0;
        for (int run = 0; run < 200; run++)
        {
            rolledBack += Monitor(random, options, controlRate: 0.10, treatmentRate: 0.02).Decision == ExperimentBook.Rollback ? 1 : 0;
            promoted += Monitor(random, options, controlRate: 0.10, treatmentRate: 0.16).Decision == ExperimentBook.Promote ? 1 : 0;
        }
        output.WriteLine($"broken candidate rolled back {rolledBack} of 200; better candidate promoted {promoted} of 200");
        Assert.True(rolledBack >= 190, $"{rolledBack} of 200 broken candidates rolled back");
        Assert.True(promoted >= 190, $"{promoted} of 200 better candidates promoted");
    }

    /// <summary>
    /// The main command's shape, with the server's default settings: the same devices (300 per arm) come back visit
    /// after visit, 10 impressions each time, and the experiment is looked at after every round — so the devices'
    /// impressions pile up and are correlated within a device. A gain like the one the loop measures (take rate
    /// 0.035 → 0.050) is promoted; an A/A experiment looked at as often is decided in at most 5 % of runs.
    /// </summary>
    [Fact]
    public void Looked_at_after_every_round_of_visits_a_real_gain_is_promoted_and_AA_experiments_are_not()
    {
        var options = new ExperimentOptions();
        var random = new Random(28);
        int aaDecided = 0, promoted = 0, promotedLooks = 0;
        for (int run = 0; run < Runs; run++)
        {
            aaDecided += Revisits(random, options, 0.04, 0.04).Decision != ExperimentBook.Continue ? 1 : 0;
        }
        const int GainRuns = 200;
        for (int run = 0; run < GainRuns; run++)
        {
            var (decision, look) = Revisits(random, options, 0.035, 0.050);
            if (decision == ExperimentBook.Promote)
            {
                promoted++;
                promotedLooks += look;
            }
        }
        output.WriteLine($"{Visits} rounds of visits, 300 devices per arm: A/A decided {aaDecided} of {Runs}; a gain 0.035 → 0.050 promoted {promoted} of {GainRuns}"
            + $" (at look {promotedLooks / (double)Math.Max(1, promoted):0.0} on average)");
        Assert.True(aaDecided / (double)Runs <= 0.05, $"{aaDecided} of {Runs} A/A experiments were decided");
        Assert.True(promoted >= 0.8 * GainRuns, $"{promoted} of {GainRuns} real gains promoted");
    }

    [Fact]
    public void Nothing_is_decided_before_the_minimum_sample_whatever_the_numbers()
    {
        var options = new ExperimentOptions { MinDevicesPerArm = 100, MinImpressionsPerArm = 0 };
        var control = Result(devices: 99, takeRate: 0.5);
        var treatment = Result(devices: 500, takeRate: 0.0);
        Assert.Equal(ExperimentBook.Continue, ExperimentJudge.Decide(control, treatment, -0.6, -0.4, options).Decision);
        Assert.Equal(ExperimentBook.Rollback, ExperimentJudge.Decide(control with { Devices = 100 }, treatment, -0.6, -0.4, options).Decision);
        // The guardrail: a loss smaller than it is tolerated.
        Assert.Equal(ExperimentBook.Continue, ExperimentJudge.Decide(control with { Devices = 100 }, treatment, -0.03, -0.01,
            new ExperimentOptions { MinDevicesPerArm = 100, MinImpressionsPerArm = 0, Guardrail = 0.02 }).Decision);
    }

    [Fact]
    public void The_always_valid_interval_is_wider_than_the_fixed_one_and_narrows_with_more_data()
    {
        var (fixedLow, fixedHigh) = RatioStatistics.Interval95(0.01, 1e-5);
        var (low, high) = RatioStatistics.AlwaysValid(0.01, 1e-5, 0.05, 0.01);
        Assert.True(low < fixedLow && high > fixedHigh);
        var (moreLow, moreHigh) = RatioStatistics.AlwaysValid(0.01, 1e-6, 0.05, 0.01);
        Assert.True(moreHigh - moreLow < high - low);
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), RatioStatistics.AlwaysValid(0, double.PositiveInfinity, 0.05, 0.01));
    }

    /// <summary>
    /// One experiment watched as devices arrive (20 looks of 25 devices per arm): the sequential decision at the first
    /// look that decides (or continue), and whether a fixed 95 % interval excluded 0 at any look.
    /// </summary>
    private static (string Decision, bool Peeking) Monitor(Random random, ExperimentOptions options, double controlRate, double treatmentRate)
    {
        var control = new List<(double, double)>();
        var treatment = new List<(double, double)>();
        bool peeking = false;
        for (int look = 0; look < 20; look++)
        {
            control.AddRange(Arm(random, 25, controlRate));
            treatment.AddRange(Arm(random, 25, treatmentRate));
            var (c, cv) = RatioStatistics.Ratio(control);
            var (t, tv) = RatioStatistics.Ratio(treatment);
            var (fixedLow, fixedHigh) = RatioStatistics.Interval95(t - c, cv + tv);
            peeking |= control.Count >= options.MinDevicesPerArm && (fixedLow > 0 || fixedHigh < 0);
            var (low, high) = RatioStatistics.AlwaysValid(t - c, cv + tv, options.Alpha, options.MixingScale);
            string decision = ExperimentJudge.Decide(Result(control.Count, c), Result(treatment.Count, t), low, high, options).Decision;
            if (decision != ExperimentBook.Continue)
            {
                return (decision, peeking);
            }
        }
        return (ExperimentBook.Continue, peeking);
    }

    /// <summary>
    /// One experiment on 300 devices per arm, each visiting <see cref="Visits"/> times with 10 impressions a visit; the
    /// decision (applied through <see cref="ExperimentJudge"/> with the server's intervals) and the look it came at.
    /// </summary>
    private static (string Decision, int Look) Revisits(Random random, ExperimentOptions options, double controlRate, double treatmentRate)
    {
        double[] controlRates = Propensities(random, 300, controlRate), treatmentRates = Propensities(random, 300, treatmentRate);
        var control = new (double Takes, double Impressions)[300];
        var treatment = new (double Takes, double Impressions)[300];
        for (int look = 1; look <= Visits; look++)
        {
            Visit(random, control, controlRates);
            Visit(random, treatment, treatmentRates);
            var (c, cv) = RatioStatistics.Ratio(control);
            var (t, tv) = RatioStatistics.Ratio(treatment);
            var (low, high) = RatioStatistics.AlwaysValid(t - c, cv + tv, options.Alpha, options.MixingScale);
            string decision = ExperimentJudge.Decide(Result(control.Length, c, look), Result(treatment.Length, t, look), low, high, options).Decision;
            if (decision != ExperimentBook.Continue)
            {
                return (decision, look);
            }
        }
        return (ExperimentBook.Continue, Visits);
    }

    /// <summary>
    /// One experiment with a control (<paramref name="rates"/>[0]) and treatments watched as devices arrive (20 looks
    /// of 25 devices per arm): whether any treatment is decided at some look with α divided among the treatments, with
    /// α for each, and the first treatment alone at α (what a one-treatment experiment would have done).
    /// </summary>
    private static (bool Corrected, bool Uncorrected, bool FirstAlone) MonitorArms(Random random, ExperimentOptions options, double[] rates)
    {
        var arms = rates.Select(_ => new List<(double, double)>()).ToArray();
        bool corrected = false, uncorrected = false, first = false;
        for (int look = 0; look < 20; look++)
        {
            for (int a = 0; a < rates.Length; a++)
            {
                arms[a].AddRange(Arm(random, 25, rates[a]));
            }
            var decided = Decided(options, arms, rates.Length - 1);
            corrected |= decided.Any(d => d);
            var plain = Decided(options, arms, 1);
            uncorrected |= plain.Any(d => d);
            first |= plain[0];
        }
        return (corrected, uncorrected, first);
    }

    /// <summary>As <see cref="Revisits"/> with a control and treatments: whether any treatment is decided at some look, α divided among them.</summary>
    private static bool RevisitsArms(Random random, ExperimentOptions options, double[] rates)
    {
        var propensities = rates.Select(rate => Propensities(random, 300, rate)).ToArray();
        var arms = rates.Select(_ => new (double Takes, double Impressions)[300]).ToArray();
        for (int look = 1; look <= Visits; look++)
        {
            for (int a = 0; a < rates.Length; a++)
            {
                Visit(random, arms[a], propensities[a]);
            }
            if (Decided(options, arms, rates.Length - 1, look).Any(d => d))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>For each treatment (arms 1…), whether the judge decides it against the control (arm 0) at α / <paramref name="comparisons"/>.</summary>
    private static bool[] Decided(ExperimentOptions options, IReadOnlyList<(double Takes, double Impressions)>[] arms, int comparisons, int visits = 1)
    {
        double alpha = options.Alpha / comparisons;
        var (c, cv) = RatioStatistics.Ratio(arms[0]);
        return [.. arms.Skip(1).Select(arm =>
        {
            var (t, tv) = RatioStatistics.Ratio(arm);
            var (low, high) = RatioStatistics.AlwaysValid(t - c, cv + tv, alpha, options.MixingScale);
            return ExperimentJudge.Decide(Result(arms[0].Count, c, visits), Result(arm.Count, t, visits), low, high, options, alpha).Decision != ExperimentBook.Continue;
        })];
    }

    private static void Visit(Random random, (double Takes, double Impressions)[] devices, double[] rates)
    {
        for (int d = 0; d < devices.Length; d++)
        {
            int takes = 0;
            for (int i = 0; i < 10; i++)
            {
                takes += random.NextDouble() < rates[d] ? 1 : 0;
            }
            devices[d] = (devices[d].Takes + takes, devices[d].Impressions + 10);
        }
    }

    private static double[] Propensities(Random random, int devices, double meanRate) =>
        [.. Enumerable.Range(0, devices).Select(_ => Propensity(random, meanRate))];

    /// <summary>A device's own take rate, spread ±80 % around <paramref name="meanRate"/> (players differ).</summary>
    private static double Propensity(Random random, double meanRate) => Math.Clamp(meanRate * (0.2 + 1.6 * random.NextDouble()), 0, 1);

    /// <summary>Devices whose own take rates spread around <paramref name="meanRate"/> (±80 %), with 5 to 20 impressions each.</summary>
    private static List<(double Takes, double Impressions)> Arm(Random random, int devices, double meanRate)
    {
        var arm = new List<(double, double)>(devices);
        for (int d = 0; d < devices; d++)
        {
            double rate = Propensity(random, meanRate);
            int impressions = random.Next(5, 21), takes = 0;
            for (int i = 0; i < impressions; i++)
            {
                takes += random.NextDouble() < rate ? 1 : 0;
            }
            arm.Add((takes, impressions));
        }
        return arm;
    }

    private static ArmResult Result(int devices, double takeRate, int visits = 1) =>
        new("arm", 1, devices, devices * 10L * visits, (long)(devices * 10 * visits * takeRate), devices, 0, 0, takeRate, 0, 0, 0);
}
