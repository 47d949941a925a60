using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Xunit.Abstractions;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>The epoch cap is a ceiling, not the stopping rule: patience on validation ends training once it stops improving.</summary>
public sealed class StoppingRuleTests(ITestOutputHelper output)
{
    [Fact]
    public void Gru_stops_by_patience_long_before_a_high_cap()
    {
        TorchRuntime.Configure(1, 11);
        var data = CycleData.Create(items: 30, users: 60, length: 10);
        var config = ModelCatalogue.Find("gru") with
        {
            Dimension = 32, MaxLength = 10, BatchSize = 16, LearningRate = 5e-3, EvaluateEvery = 1, Patience = 3, MaxEpochs = 300,
        };
        var candidate = HoldoutTraining.Train(data, config, seed: 11);
        using var model = candidate.Model;
        var training = candidate.Training;
        output.WriteLine($"epochs {training.EpochsRun}, best {training.BestEpoch}, validation NDCG@10 {training.BestValidationNdcg10:0.0000}");

        Assert.True(training.EpochsRun < config.MaxEpochs, $"ran into the cap: {training.EpochsRun} epochs");
        Assert.Equal(StopReason.Patience, training.Stopped);
        // Stopped exactly `Patience` evaluations after the best one, none of which beat it.
        Assert.Equal(training.BestEpoch + config.Patience * config.EvaluateEvery, training.EpochsRun);
        Assert.All(training.Curve.Where(e => e.Epoch > training.BestEpoch), e => Assert.True(e.ValidationNdcg10 <= training.BestValidationNdcg10));
        Assert.True(training.BestValidationNdcg10 > 0.5, $"validation NDCG@10 {training.BestValidationNdcg10}: it never learned the rule");
    }

    [Fact]
    public void A_tiny_time_budget_stops_after_the_first_epoch_validates_it_and_says_why()
    {
        TorchRuntime.Configure(1, 11);
        var data = CycleData.Create(items: 30, users: 60, length: 10);
        // Evaluated every 5 epochs, so validating epoch 1 can only come from the budget.
        var config = ModelCatalogue.Find("sasrec") with { Dimension = 32, MaxLength = 10, BatchSize = 16, EvaluateEvery = 5, MaxEpochs = 300 };
        var candidate = HoldoutTraining.Train(data, config, seed: 11, budget: TimeSpan.FromTicks(1));
        using var model = candidate.Model;
        var training = candidate.Training;

        Assert.Equal(1, training.EpochsRun);
        Assert.Equal(StopReason.TimeBudget, training.Stopped);
        Assert.Equal("time budget", training.StoppedText);
        Assert.NotNull(training.Curve[0].ValidationNdcg10);
        Assert.Equal(1, training.BestEpoch);
        Assert.Equal(training.Curve[0].ValidationNdcg10!.Value, training.BestValidationNdcg10);
    }

    [Fact]
    public void Without_a_validation_split_the_cap_ends_training_and_is_the_reason()
    {
        TorchRuntime.Configure(1, 11);
        var data = CycleData.Create(items: 30, users: 20, length: 10);
        var config = ModelCatalogue.Find("gru") with { Dimension = 16, MaxLength = 10, BatchSize = 16 };
        using var model = ModelFactory.Create(config, data.Items);
        var result = new SequenceTrainer(model, seed: 11).Train(data.Sequences, validate: null, epochs: 2, budget: TimeSpan.FromHours(1));
        Assert.Equal(2, result.EpochsRun);
        Assert.Equal(StopReason.EpochCap, result.Stopped);
    }
}
