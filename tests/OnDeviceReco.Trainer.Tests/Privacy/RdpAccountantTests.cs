using OnDeviceReco.Trainer.Privacy;
using Xunit.Abstractions;

namespace OnDeviceReco.Trainer.Tests.Privacy;

/// <summary>
/// The accountant against the published test vectors of the two reference implementations, each within 1 % (most
/// agree to many more digits; the output shows how close). Sources, as stored in their repositories:
/// Opacus — opacus/tests/accountants_test.py (RDPAccountant, get_noise_multiplier; default orders
/// opacus/accountants/rdp.py); TF Privacy — tensorflow_privacy/privacy/analysis/rdp_accountant_test.py
/// (compute_rdp, get_privacy_spent) and compute_dp_sgd_privacy_test.py (compute_dp_sgd_privacy, its orders in
/// compute_dp_sgd_privacy_lib.py).
/// </summary>
public sealed class RdpAccountantTests(ITestOutputHelper output)
{
    /// <summary>TF Privacy's compute_dp_sgd_privacy orders.</summary>
    private static readonly double[] TfPrivacyOrders =
        [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, .. Enumerable.Range(5, 59).Select(x => (double)x), 128, 256, 512];

    private void Close(double expected, double actual, string what)
    {
        double relative = Math.Abs(actual - expected) / Math.Abs(expected);
        output.WriteLine($"{what}: expected {expected:R}, got {actual:R}, relative difference {relative:E2}");
        Assert.True(relative <= 0.01, $"{what}: {actual} is not within 1 % of {expected}");
    }

    [Fact]
    public void Opacus_rdp_accountant_q_0_04_sigma_1_5_2250_steps_spends_7_329_at_delta_1e_5()
    {
        // accountants_test.py test_rdp_accountant: steps = int(90 / 0.04), default alphas.
        var spent = RdpAccountant.Epsilon(0.04, 1.5, 2250, 1e-5);
        Close(7.32911117143, spent.Epsilon, "Opacus test_rdp_accountant ε");
    }

    [Fact]
    public void Opacus_noise_multipliers_for_epsilon_8_match()
    {
        // accountants_test.py: test_get_noise_multiplier_rdp_epochs (90 epochs at q = 0.04 → 2250 steps) and _steps (2000).
        // Opacus stops its search within 0.01 of ε, this one within 1e-4 of σ: both must land on the same σ to 1 %.
        Close(1.416, RdpAccountant.NoiseMultiplier(8, 1e-5, 0.04, 2250), "Opacus σ for ε 8, 90 epochs");
        Close(1.3562, RdpAccountant.NoiseMultiplier(8, 1e-5, 0.04, 2000), "Opacus σ for ε 8, 2000 steps");
        // And the σ found keeps the promise.
        Assert.True(RdpAccountant.Epsilon(0.04, RdpAccountant.NoiseMultiplier(8, 1e-5, 0.04, 2000), 2000, 1e-5).Epsilon <= 8);
    }

    [Fact]
    public void Tf_privacy_rdp_values_match_at_integer_and_fractional_orders()
    {
        // rdp_accountant_test.py test_compute_rdp_sequence: compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100, inf]),
        // compared there with an absolute tolerance of 1e-5.
        double[] orders = [1.5, 2.5, 5, 50, 100, double.PositiveInfinity];
        double[] expected = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307, double.PositiveInfinity];
        var rdp = RdpAccountant.Rdp(0.01, 2.5, 50, orders);
        for (int i = 0; i < orders.Length - 1; i++)
        {
            output.WriteLine($"order {orders[i]}: expected {expected[i]}, got {rdp[i]:R}");
            Assert.True(Math.Abs(rdp[i] - expected[i]) <= 1e-5, $"order {orders[i]}: {rdp[i]} vs {expected[i]}");
        }
        Close(167.416307, rdp[4], "TF Privacy RDP at order 100");
        Assert.Equal(double.PositiveInfinity, rdp[5]);
        // test_compute_rdp_scalar, test_compute_rdp_no_sampling, test_compute_rdp_no_data.
        Close(0.07737, RdpAccountant.Rdp(0.1, 2, 10, [5])[0], "TF Privacy compute_rdp(0.1, 2, 10, 5)");
        Assert.Equal(0.1, RdpAccountant.Rdp(1, 10, 1, [20])[0], 12);
        Assert.Equal(0, RdpAccountant.Rdp(0, 10, 1, [20])[0]);
    }

    [Fact]
    public void Tf_privacy_conversion_gives_its_epsilons()
    {
        // rdp_accountant_test.py test_get_privacy_spent_check_target_delta: constant RDP 1.1 over orders 2…32 → order 32.
        double[] orders = [.. Enumerable.Range(2, 31).Select(x => (double)x)];
        var constant = RdpAccountant.Epsilon(orders, [.. orders.Select(_ => 1.1)], 1e-5);
        Assert.Equal(32, constant.Order);
        Close(1.32783806176, constant.Epsilon, "TF Privacy constant-RDP ε");
        // Same test, second part: the Gaussian mechanism without sampling at σ = 4.530877117 is (1, 1e-6)-DP.
        double[] fine = [.. Enumerable.Range(1000, 99000).Select(i => 0.001 * i)];
        var gaussian = RdpAccountant.Epsilon(fine, RdpAccountant.Rdp(1, 4.530877117, 1, fine), 1e-6);
        Close(1, gaussian.Epsilon, "TF Privacy unsampled Gaussian ε");
    }

    [Theory]
    // compute_dp_sgd_privacy_test.py test_compute_dp_sgd_privacy: (n, batch, σ, epochs, δ) → (ε, order).
    [InlineData(60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0)]
    [InlineData(100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13.0)]
    public void Tf_privacy_dp_sgd_statements_match(int n, int batch, double sigma, int epochs, double delta, double epsilon, double order)
    {
        double q = batch / (double)n;
        long steps = (long)Math.Ceiling(epochs * n / (double)batch);
        var spent = RdpAccountant.Epsilon(q, sigma, steps, delta, TfPrivacyOrders);
        Close(epsilon, spent.Epsilon, $"TF Privacy compute_dp_sgd_privacy({n}, {batch}, {sigma}, {epochs}, {delta})");
        Assert.Equal(order, spent.Order);
    }

    [Fact]
    public void More_noise_fewer_steps_or_less_sampling_spend_less()
    {
        double baseline = RdpAccountant.Epsilon(0.01, 1.0, 1000, 1e-5).Epsilon;
        Assert.True(RdpAccountant.Epsilon(0.01, 2.0, 1000, 1e-5).Epsilon < baseline);
        Assert.True(RdpAccountant.Epsilon(0.01, 1.0, 100, 1e-5).Epsilon < baseline);
        Assert.True(RdpAccountant.Epsilon(0.001, 1.0, 1000, 1e-5).Epsilon < baseline);
        Assert.Equal(0, RdpAccountant.Epsilon(0.01, 1.0, 0, 1e-5).Epsilon);
        Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplier(0, 1e-5, 0.01, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.Epsilon(0.01, 1, 10, 0));
    }

    /// <summary>
    /// The plans of the documented runs on the generated populations (docs/privacy.md: 50,000 users at 2,000 users per
    /// step for 6 and 12 epochs, 100,000 at 4,000 for 12; δ = 1/users): q 0.04, 25 steps per epoch, and a σ whose ε is
    /// the target (never above). The integer orders' RDP is recomputed here from its definition (the binomial sum of
    /// Mironov et al. 2019, Sec. 3.3, in plain doubles), and the ε over those orders alone can only be larger than the
    /// accountant's, which also searches fractional ones.
    /// </summary>
    [Theory]
    [InlineData(8.0, 50_000, 6)]
    [InlineData(4.0, 50_000, 6)]
    [InlineData(1.0, 50_000, 6)]
    [InlineData(8.0, 50_000, 12)]
    [InlineData(8.0, 100_000, 12)]
    [InlineData(4.0, 100_000, 12)]
    [InlineData(1.0, 100_000, 12)]
    public void The_generated_population_plans_spend_their_target_epsilon(double target, int users, int epochs)
    {
        var plan = OnDeviceReco.Trainer.Training.PrivatePlan.For(new UserLevelPrivacy { TargetEpsilon = target, UsersPerStep = users / 25 }, users, epochs);
        Assert.Equal(0.04, plan.SampleRate, 1e-12);
        Assert.Equal(25L * epochs, plan.PlannedSteps);
        Assert.Equal(1.0 / users, plan.Delta, 1e-15);
        double spent = plan.EpsilonAfter(plan.PlannedSteps);
        output.WriteLine($"{users} users, {epochs} epochs, ε {target}: σ {plan.NoiseMultiplier:0.0000}, ε spent {spent:0.00000}");
        Assert.InRange(spent, target * 0.999, target);

        double[] integers = [.. RdpAccountant.DefaultOrders.Where(a => a == Math.Floor(a))];
        var rdp = RdpAccountant.Rdp(plan.SampleRate, plan.NoiseMultiplier, plan.PlannedSteps, integers);
        for (int i = 0; i < integers.Length; i++)
        {
            Close(BinomialRdp(plan.SampleRate, plan.NoiseMultiplier, (int)integers[i]) * plan.PlannedSteps, rdp[i], $"RDP at α {integers[i]}");
        }
        double integerOnly = RdpAccountant.Epsilon(integers, rdp, plan.Delta).Epsilon;
        Assert.InRange(spent, integerOnly * 0.95, integerOnly);
    }

    /// <summary>One step's RDP at integer α: log(Σ_k C(α,k) (1−q)^(α−k) q^k exp((k²−k)/(2σ²))) / (α − 1).</summary>
    private static double BinomialRdp(double q, double sigma, int alpha)
    {
        var terms = Enumerable.Range(0, alpha + 1).Select(k => LogChoose(alpha, k) + (alpha - k) * Math.Log(1 - q) + k * Math.Log(q) + (k * (double)k - k) / (2 * sigma * sigma)).ToArray();
        double max = terms.Max();
        return (max + Math.Log(terms.Sum(t => Math.Exp(t - max)))) / (alpha - 1);
    }

    private static double LogChoose(int n, int k) =>
        Enumerable.Range(1, k).Sum(i => Math.Log(n - k + i) - Math.Log(i));
}
