namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// A total wall-clock budget shared by the models of one run, trained in order, the main recipe first. Every model
/// after the current one keeps a reserve of total ÷ (models + 1); the current one may use everything else that is
/// left. So the first model (the recipe the run is about, e.g. SASRec) gets the most time — with three models,
/// half the total — time a model does not use (it stopped by patience, or no further epoch fitted) goes to the
/// models after it, and the last model gets whatever remains. Once the reserves cannot all be kept (an earlier
/// model's first epoch alone overran), what is left is split equally.
/// </summary>
public sealed class SharedBudget
{
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly TimeSpan _reserve;

    /// <param name="total">The budget for all the models together.</param>
    /// <param name="models">How many models share it.</param>
    /// <param name="clock">The clock to measure with (tests pass their own).</param>
    public SharedBudget(TimeSpan total, int models, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 1);
        Total = total;
        _reserve = total / (models + 1);
        _clock = clock ?? TimeProvider.System;
        _start = _clock.GetTimestamp();
    }

    public TimeSpan Total { get; }

    public TimeSpan Remaining
    {
        get
        {
            var left = Total - _clock.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>The next model's budget when <paramref name="modelsLeft"/> models (it included) are still to train.</summary>
    public TimeSpan NextShare(int modelsLeft)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(modelsLeft, 1);
        var remaining = Remaining;
        var afterReserves = remaining - _reserve * (modelsLeft - 1);
        var equal = remaining / modelsLeft;
        return afterReserves > equal ? afterReserves : equal;
    }
}
