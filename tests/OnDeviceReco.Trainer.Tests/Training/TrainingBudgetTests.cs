using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Tests.Support;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>The budget is predictive: no epoch starts that the time left cannot hold; a shared budget favours the first model and passes unused time on.</summary>
public sealed class TrainingBudgetTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Another_epoch_fits_only_while_elapsed_plus_the_expected_epoch_and_validation_stay_inside()
    {
        var clock = new ManualClock();
        var budget = new TrainingBudget(TimeSpan.FromMinutes(10), clock);
        Assert.True(budget.NextEpochFits()); // nothing measured yet

        clock.Advance(3 * Minute);
        budget.RecordEpoch(3 * Minute);
        Assert.True(budget.NextEpochFits()); // 3 + 3 ≤ 10

        clock.Advance(3 * Minute);
        budget.RecordEpoch(3 * Minute);
        clock.Advance(Minute);
        budget.RecordValidation(Minute);
        Assert.Equal(4 * Minute, budget.NextEpochEstimate);
        Assert.False(budget.NextEpochFits()); // 7 + 3 + 1 > 10, though 7 < 10: the old rule would have started it
        Assert.Contains("7 min 0 s used of 10 min 0 s", budget.Explain(), StringComparison.Ordinal);
        Assert.Contains("~4 min 0 s", budget.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_slower_last_epoch_raises_the_estimate_above_the_mean()
    {
        var clock = new ManualClock();
        var budget = new TrainingBudget(TimeSpan.FromMinutes(10), clock);
        budget.RecordEpoch(Minute);
        budget.RecordEpoch(Minute);
        budget.RecordEpoch(4 * Minute);
        Assert.Equal(4 * Minute, budget.NextEpochEstimate);
        budget.RecordEpoch(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(6.5 * 60 / 4), budget.NextEpochEstimate); // the mean, 97.5 s, when the last was faster
    }

    [Fact]
    public void A_shared_budget_gives_the_first_model_all_but_the_later_ones_reserves_and_passes_unused_time_on()
    {
        var clock = new ManualClock();
        var shared = new SharedBudget(TimeSpan.FromMinutes(16), models: 3, clock); // reserve 16 / 4 = 4 min per later model
        Assert.Equal(8 * Minute, shared.NextShare(3));
        clock.Advance(2 * Minute); // the first model stopped by patience early
        Assert.Equal(10 * Minute, shared.NextShare(2)); // 14 left, 4 kept for the last
        clock.Advance(9 * Minute);
        Assert.Equal(5 * Minute, shared.NextShare(1)); // the last gets what remains
    }

    [Fact]
    public void When_the_reserves_cannot_be_kept_what_is_left_is_split_equally_and_nothing_left_means_one_epoch()
    {
        var clock = new ManualClock();
        var shared = new SharedBudget(TimeSpan.FromMinutes(16), models: 3, clock);
        clock.Advance(13 * Minute); // the first model's first epoch alone overran its share
        Assert.Equal(1.5 * Minute, shared.NextShare(2)); // 3 left < 4 reserved: half each
        clock.Advance(20 * Minute);
        Assert.Equal(TimeSpan.Zero, shared.NextShare(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => shared.NextShare(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedBudget(Minute, models: 0));
    }

    [Fact]
    public void Training_never_starts_an_epoch_the_budget_cannot_hold_and_says_why()
    {
        TorchRuntime.Configure(1, 11);
        var data = CycleData.Create(items: 30, users: 40, length: 10);
        var config = ModelCatalogue.Find("sasrec") with { Dimension = 16, MaxLength = 10, BatchSize = 16, EvaluateEvery = 1, Patience = 1000, MaxEpochs = 50 };
        using var model = ModelFactory.Create(config, data.Items);
        var clock = new ManualClock();
        // Each validation takes 30 s on this clock; training takes none. With 100 s: epochs end at 30, 60 and 90 s,
        // and a fourth (30 s more) would end at 120 s, so it never starts.
        var result = new SequenceTrainer(model, seed: 11).Train(data.Sequences,
            () => { clock.Advance(TimeSpan.FromSeconds(30)); return 0.5; }, config.MaxEpochs,
            budget: TimeSpan.FromSeconds(100), clock: clock);

        Assert.Equal(3, result.EpochsRun);
        Assert.Equal(StopReason.TimeBudget, result.Stopped);
        Assert.True(result.TrainSeconds <= 100, $"{result.TrainSeconds} s used of a 100 s budget");
        Assert.Equal("after epoch 3: 1 min 30 s used of 1 min 40 s; the next epoch with validation (~30 s) would not fit", result.StopDetail);
    }

    [Fact]
    public void Without_a_budget_patience_and_the_cap_say_why_they_stopped()
    {
        TorchRuntime.Configure(1, 11);
        var data = CycleData.Create(items: 30, users: 40, length: 10);
        var config = ModelCatalogue.Find("gru") with { Dimension = 16, MaxLength = 10, BatchSize = 16, EvaluateEvery = 1, Patience = 2, MaxEpochs = 50 };
        using var model = ModelFactory.Create(config, data.Items);
        var scores = new Queue<double>([0.2, 0.4, 0.3, 0.35, 0.9]);
        var patience = new SequenceTrainer(model, seed: 11).Train(data.Sequences, scores.Dequeue, config.MaxEpochs);
        Assert.Equal(StopReason.Patience, patience.Stopped);
        Assert.Equal(4, patience.EpochsRun);
        Assert.Equal(2, patience.BestEpoch);
        Assert.Equal("no better validation NDCG@10 in 2 checks since epoch 2", patience.StopDetail);

        var cap = new SequenceTrainer(model, seed: 11).Train(data.Sequences, validate: null, epochs: 2);
        Assert.Equal("reached the cap of 2 epochs", cap.StopDetail);
    }
}
