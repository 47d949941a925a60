using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Privacy;
using OnDeviceReco.Trainer.Tests.Training;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Privacy;

/// <summary>
/// User-level DP training on real TorchSharp gradients: each user's contribution is clipped to C, the noise has
/// standard deviation σC / expected users and does not follow the training seed, and the private recipe trains,
/// keeps its last weights and reports the ε it spent.
/// </summary>
public sealed class UserLevelTrainingTests(ITestOutputHelper output)
{
    private static ModelConfig SmallPrivate(UserLevelPrivacy privacy, int epochs) => ModelCatalogue.Find("sasrec-dp") with
    {
        Dimension = 16, MaxLength = 10, Blocks = 1, EvaluateEvery = 2, MaxEpochs = epochs, LearningRate = 5e-3, Privacy = privacy,
    };

    private static double Norm(IEnumerable<Tensor> tensors) => Math.Sqrt(tensors.Sum(t => t.square().sum().ToDouble()));

    [Fact]
    public void Each_users_update_is_clipped_to_C_and_an_update_within_C_is_kept_whole()
    {
        TorchRuntime.Configure(1, 5);
        var data = CycleData.Create(items: 30, users: 8, length: 10);
        var config = SmallPrivate(new UserLevelPrivacy(), 1);
        using var model = ModelFactory.Create(config, data.Items);
        var trainer = new SequenceTrainer(model, seed: 5);
        var windows = new TrainingWindows(data.Sequences, config.MaxLength);
        var byUser = SequenceTrainer.WindowsByUser(windows, data.Sequences.Count);
        var parameters = model.parameters().ToList();
        using var optimizer = new HeldAdam(parameters, 1e-3);
        model.train();

        // A tight C: every real gradient is above it and comes out at exactly C; two users sum to at most 2C.
        using var tight = new PrivateAggregate(parameters, clipNorm: 0.01);
        trainer.UserGradient(windows, byUser[0], optimizer);
        double raw = tight.AddClipped();
        double one = Norm(tight.Sums);
        trainer.UserGradient(windows, byUser[1], optimizer);
        tight.AddClipped();
        double two = Norm(tight.Sums);
        output.WriteLine($"raw gradient norm {raw:0.0000}; clipped {one:0.000000}; two users {two:0.000000}");
        Assert.True(raw > 0.01, $"the gradient ({raw}) should be far above C for this test to mean anything");
        Assert.InRange(one, 0.01 * (1 - 1e-4), 0.01 * (1 + 1e-4));
        Assert.True(two <= 0.02 * (1 + 1e-4), $"two users' clipped sum {two} > 2C");
        Assert.Equal(2, tight.Users);
        Assert.Equal(2, tight.Clipped);

        // A loose C leaves the gradient as it was: the sum is the user's raw gradient.
        using var loose = new PrivateAggregate(parameters, clipNorm: 1e6);
        trainer.UserGradient(windows, byUser[2], optimizer);
        double before = loose.AddClipped();
        var gradients = parameters.Select(p => p.grad!).ToList();
        Assert.Equal(before, Norm(loose.Sums), 4);
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.True(gradients[i].allclose(loose.Sums[i]), $"parameter {i} changed under a loose C");
        }
        Assert.Equal(0, loose.Clipped);
    }

    [Fact]
    public void The_noise_has_standard_deviation_sigma_C_over_expected_users_and_does_not_follow_the_training_seed()
    {
        TorchRuntime.Configure(1, 5);
        var data = CycleData.Create(items: 400, users: 4, length: 10);
        var config = SmallPrivate(new UserLevelPrivacy(), 1) with { Dimension = 32 };
        using var model = ModelFactory.Create(config, data.Items);
        var parameters = model.parameters().ToList();
        SequenceTrainer.CreateGradients(parameters);
        const double Sigma = 2, C = 0.5, Expected = 10; // std σC / expected = 0.1

        var first = NoiseOnly(parameters, Sigma, C, Expected);
        torch.manual_seed(5); // the same training seed again
        var second = NoiseOnly(parameters, Sigma, C, Expected);
        double mean = first.Average();
        double std = Math.Sqrt(first.Select(x => (x - mean) * (x - mean)).Sum() / (first.Length - 1));
        output.WriteLine($"{first.Length} coordinates: mean {mean:0.00000}, std {std:0.00000} (expected 0.1)");
        Assert.InRange(std, 0.1 * 0.97, 0.1 * 1.03);
        Assert.InRange(mean, -0.003, 0.003);
        int same = first.Zip(second).Count(p => p.First == p.Second);
        Assert.True(same < first.Length / 100, $"{same} of {first.Length} noise values repeated under the same training seed");
    }

    private static float[] NoiseOnly(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, double sigma, double clip, double expected)
    {
        using var aggregate = new PrivateAggregate(parameters, clip); // no user added: the release is pure noise
        aggregate.WriteNoisyMean(sigma, expected);
        return parameters.SelectMany(p => p.grad!.contiguous().data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void The_private_recipe_trains_its_planned_steps_keeps_the_last_weights_and_reports_the_epsilon_spent()
    {
        TorchRuntime.Configure(1, 7);
        var data = CycleData.Create(items: 20, users: 1200, length: 8);
        var config = SmallPrivate(new UserLevelPrivacy { TargetEpsilon = 8, ClipNorm = 1, UsersPerStep = 300 }, epochs: 6);
        var candidate = HoldoutTraining.Train(data, config, seed: 7);
        using var model = candidate.Model;
        var training = candidate.Training;
        var spent = Assert.IsType<PrivacySpent>(training.Privacy);
        output.WriteLine($"{spent}; validation NDCG@10 by epoch: {string.Join(", ", training.Curve.Select(e => e.ValidationNdcg10?.ToString("0.000") ?? "-"))}; {training.TrainSeconds:0.0} s");

        Assert.Equal(6, training.EpochsRun);
        Assert.Equal(StopReason.EpochCap, training.Stopped);
        Assert.Equal(training.EpochsRun, training.BestEpoch); // the last weights, not the best on validation
        Assert.Equal(training.Curve[^1].ValidationNdcg10, training.BestValidationNdcg10);
        Assert.Equal(0.25, spent.SampleRate, 10); // 300 of 1,200 users per step
        Assert.Equal(4 * 6, spent.Steps);
        Assert.Equal(spent.PlannedSteps, spent.Steps);
        Assert.Equal(1.0 / 1200, spent.Delta, 12);
        Assert.InRange(spent.Epsilon, 7.9, 8.0); // calibrated to the target, never above it
        Assert.Equal(spent.Epsilon, RdpAccountant.Epsilon(spent.SampleRate, spent.NoiseMultiplier, spent.Steps, spent.Delta).Epsilon, 9);
        Assert.Equal(spent.Epsilon, spent.Metrics()["dp_epsilon"]);
        // The noisy steps still learn the cycle: far above chance (10 of 20 items ≈ 0.2 NDCG@10 at random).
        Assert.True(training.BestValidationNdcg10 > 0.4, $"validation NDCG@10 {training.BestValidationNdcg10}");
    }

    [Fact]
    public void A_run_the_budget_ends_early_reports_the_smaller_epsilon_of_the_steps_it_took()
    {
        TorchRuntime.Configure(1, 7);
        var data = CycleData.Create(items: 20, users: 200, length: 8);
        var config = SmallPrivate(new UserLevelPrivacy { TargetEpsilon = 4, UsersPerStep = 50 }, epochs: 50);
        var candidate = HoldoutTraining.Train(data, config, seed: 7, budget: TimeSpan.FromTicks(1));
        using var model = candidate.Model;
        var spent = candidate.Training.Privacy!;
        Assert.Equal(StopReason.TimeBudget, candidate.Training.Stopped);
        Assert.Equal(4, spent.Steps); // one epoch of 200 / 50 steps
        Assert.Equal(200, spent.PlannedSteps);
        Assert.InRange(spent.PlannedEpsilon, 3.9, 4.0);
        Assert.True(spent.Epsilon < spent.PlannedEpsilon / 2, $"ε after 4 of 200 steps: {spent.Epsilon}");
    }
}
