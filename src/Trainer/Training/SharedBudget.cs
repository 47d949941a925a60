namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// A total wall-clock budget shared by the models of one run, in order: each model gets an equal part of what is
/// left, so time a model did not use (it stopped by patience, or its budget could not fit another epoch) goes to
/// the models after it, and the last model gets everything that remains.
/// </summary>
public sealed class SharedBudget
{
    private readonly TimeProvider _clock;
    private readonly long _start;

    public SharedBudget(TimeSpan total, TimeProvider? clock = null)
    {
        Total = total;
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
        return Remaining / modelsLeft;
    }
}
