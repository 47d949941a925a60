using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>
/// Training and scoring while another thread keeps the garbage collector and finalizers running, as a server's
/// request handling does: a number handed to torch must not be freed in the middle of the native call (see
/// <c>HeldScalars</c> and <c>HeldAdam</c>; the server's retraining once died in masked_fill that way). Runs alone: its collector would
/// also catch the temporaries of other tests' own torch calls.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ScalarLifetimeTests
{
    [Fact]
    public async Task Models_train_and_score_while_the_collector_runs_all_the_time()
    {
        var data = CycleData.Create(items: 30, users: 200, length: 50);
        var models = new List<(SequenceModel Model, ModelConfig Config)>();
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
            // Training runs under the collector too: the forward pass, the losses and HeldAdam hold their Scalars
            // (TorchSharp's own optim.Adam did not and failed here).
            foreach (var name in new[] { "sasrec", "sasrec-sampled", "gru" })
            {
                TorchRuntime.Configure(1, 5);
                var config = ModelCatalogue.Find(name) with { Dimension = 16, MaxLength = 50, BatchSize = 32, Negatives = 8 };
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
        }
        finally
        {
            await stop.CancelAsync();
            await collector;
            models.ForEach(m => m.Model.Dispose());
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
