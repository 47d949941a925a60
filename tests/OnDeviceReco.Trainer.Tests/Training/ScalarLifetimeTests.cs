using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>
/// Training and scoring while another thread keeps the garbage collector and finalizers running, as a server's
/// request handling does: a number handed to torch must not be freed in the middle of the native call (see
/// <c>HeldScalars</c> and <c>HeldAdam</c>; the server's retraining once died in masked_fill that way). Runs alone: its
/// collector would also catch the temporaries of other tests' own torch calls.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ScalarLifetimeTests
{
    [Fact]
    public Task Models_train_and_score_while_the_collector_runs_all_the_time()
    {
        var data = CycleData.Create(items: 30, users: 200, length: 50);
        var models = new List<(SequenceModel Model, ModelConfig Config)>();
        return WhileCollecting(() =>
        {
            // Short windows in small batches: many cheap optimiser steps, each a chance for the collector to strike.
            foreach (var name in new[] { "sasrec", "sasrec-sampled", "gru" })
            {
                TorchRuntime.Configure(1, 5);
                var config = ModelCatalogue.Find(name) with { Dimension = 16, MaxLength = 10, BatchSize = 8, Negatives = 8 };
                var model = ModelFactory.Create(config, data.Items);
                models.Add((model, config));
                var result = new SequenceTrainer(model, seed: 5).Train(data.Sequences, validate: null, epochs: 2);
                Assert.All(result.Curve, epoch => Assert.True(double.IsFinite(epoch.Loss), $"{name} epoch {epoch.Epoch} loss {epoch.Loss}"));
            }
            foreach (var (model, config) in models)
            {
                for (int i = 0; i < 300; i++)
                {
                    using var scope = NewDisposeScope();
                    using var _ = no_grad();
                    var scores = model.ScoreLast(tensor(Histories.LeftPad(data.Sequences, config.MaxLength), [data.Sequences.Count, config.MaxLength]));
                    Assert.True(scores.isfinite().narrow(1, 1, 30).all().item<bool>());
                }
            }
        }, () => models.ForEach(m => m.Model.Dispose()));
    }

    [Fact]
    public Task Adam_steps_while_the_collector_runs_all_the_time()
    {
        // Many small parameters make an Adam step mostly Scalar-taking calls: about eight per parameter.
        TorchRuntime.Configure(1, 5);
        var layers = Enumerable.Range(0, 60).Select(i => ($"layer{i}", (nn.Module<Tensor, Tensor>)nn.Linear(4, 4))).ToArray();
        var model = nn.Sequential(layers);
        var optimizer = new HeldAdam(model.parameters(), 1e-3);
        var input = randn(8, 4);
        return WhileCollecting(() =>
        {
            for (int step = 0; step < 1500; step++)
            {
                using var scope = NewDisposeScope();
                var output = model.call(input);
                var loss = output.mul(output).mean();
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
            }
            Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        }, () =>
        {
            optimizer.Dispose();
            model.Dispose();
            input.Dispose();
        });
    }

    /// <summary>Runs <paramref name="work"/> while another thread collects and finalizes without pause.</summary>
    private static async Task WhileCollecting(Action work, Action cleanUp)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            work();
        }
        finally
        {
            await stop.CancelAsync();
            await collector;
            cleanUp();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
