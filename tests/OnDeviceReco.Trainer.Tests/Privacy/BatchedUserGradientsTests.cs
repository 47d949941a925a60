using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Privacy;
using OnDeviceReco.Trainer.Tests.Training;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Privacy;

/// <summary>
/// The per-user gradients of one batched forward and backward (<see cref="SasRecUserGradients"/>) against the
/// reference: one backward per user through the model's own forward and loss. Users of 2 to 25 events give one to
/// three windows each; two blocks of two heads and the genre projection cover every parameter.
/// </summary>
public sealed class BatchedUserGradientsTests(ITestOutputHelper output)
{
    private static readonly int[] Lengths = [2, 25, 11, 7, 19, 3];

    private static (SasRec Model, SequenceTrainer Trainer, TrainingWindows Windows, int[][] ByUser) Setup(int seed)
    {
        TorchRuntime.Configure(1, seed);
        var data = CycleData.Create(items: 30, users: Lengths.Length, length: 25);
        var sequences = data.Sequences.Select((s, u) => s[..Lengths[u]]).ToList();
        var config = ModelCatalogue.Find("sasrec-dp") with { Dimension = 16, MaxLength = 10, Blocks = 2, Heads = 2, Dropout = 0 };
        var model = Assert.IsType<SasRec>(ModelFactory.Create(config, data.Items));
        model.train();
        var windows = new TrainingWindows(sequences, config.MaxLength);
        return (model, new SequenceTrainer(model, seed), windows, SequenceTrainer.WindowsByUser(windows, sequences.Count));
    }

    [Fact]
    public void Each_users_gradient_from_the_batch_equals_that_users_own_backward()
    {
        var (model, trainer, windows, byUser) = Setup(seed: 3);
        using var _ = model;
        var parameters = model.parameters().ToList();
        using var optimizer = new HeldAdam(parameters, 1e-3);
        var batched = new SasRecUserGradients(model);
        using var scope = NewDisposeScope();
        var (gradients, losses) = Batch(windows, byUser, batched);

        double worst = 0;
        for (int u = 0; u < byUser.Length; u++)
        {
            double loss = trainer.UserGradient(windows, byUser[u], optimizer);
            Assert.Equal(loss, losses[u].ToDouble(), 5e-5); // absolute: rounding both to 4 decimals fails when a 1e-7 difference straddles a boundary
            for (int i = 0; i < parameters.Count; i++)
            {
                var reference = parameters[i].grad is { } g ? g : zeros_like(parameters[i]);
                var mine = gradients[i] is { } m ? m[u] : zeros_like(parameters[i]);
                double scale = Math.Max(1e-3, reference.abs().max().ToDouble());
                double error = (mine - reference).abs().max().ToDouble() / scale;
                worst = Math.Max(worst, error);
                Assert.True(error < 1e-4, $"user {u}, parameter {i} {string.Join('×', parameters[i].shape)}: relative difference {error}");
            }
        }
        output.WriteLine($"{byUser.Length} users ({string.Join(", ", byUser.Select(w => w.Length))} windows), {parameters.Count} parameters: worst relative difference {worst:E2}");
        Assert.Contains(byUser, w => w.Length > 2); // the sum over a user's windows is exercised
    }

    [Fact]
    public void The_clipped_sum_and_norms_match_the_per_user_loop()
    {
        var (model, trainer, windows, byUser) = Setup(seed: 4);
        using var _ = model;
        var parameters = model.parameters().ToList();
        using var optimizer = new HeldAdam(parameters, 1e-3);
        const double C = 0.05;
        using var loop = new PrivateAggregate(parameters, C);
        var loopNorms = byUser.Select(w =>
        {
            trainer.UserGradient(windows, w, optimizer);
            return loop.AddClipped();
        }).ToArray();
        using var batch = new PrivateAggregate(parameters, C);
        var batched = new SasRecUserGradients(model);
        double[] batchNorms;
        using (NewDisposeScope())
        {
            batchNorms = batch.AddClipped(Batch(windows, byUser, batched).Gradients);
        }
        output.WriteLine($"norms per user: loop {string.Join(", ", loopNorms.Select(n => n.ToString("0.0000")))}; batch {string.Join(", ", batchNorms.Select(n => n.ToString("0.0000")))}");
        for (int u = 0; u < byUser.Length; u++)
        {
            Assert.Equal(loopNorms[u], batchNorms[u], 1e-4 * loopNorms[u]);
        }
        Assert.Contains(loopNorms, n => n > C);
        Assert.Equal(loop.Clipped, batch.Clipped);
        Assert.Equal(loop.Users, batch.Users);
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.True(loop.Sums[i].allclose(batch.Sums[i], rtol: 1e-4, atol: 1e-7), $"clipped sum of parameter {i} differs");
        }
    }

    private static (Tensor?[] Gradients, Tensor Losses) Batch(TrainingWindows windows, int[][] byUser, SasRecUserGradients batched)
    {
        // Windows laid out user after user, as the trainer does.
        var order = byUser.SelectMany((w, u) => w.Select(_ => (long)u)).ToArray();
        var inputs = byUser.SelectMany(w => w).SelectMany(w => windows.Inputs[w]).ToArray();
        var targets = byUser.SelectMany(w => w).SelectMany(w => windows.Targets[w]).ToArray();
        return batched.Compute(inputs, targets, order, byUser.Length);
    }
}
