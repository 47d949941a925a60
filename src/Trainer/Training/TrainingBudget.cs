using System.Globalization;

namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// One model's wall-clock training budget, predictive: after each epoch it says whether another epoch and its
/// validation still fit, from the times measured so far, so a run ends inside its budget instead of one epoch past
/// it. The first epoch always runs (nothing is measured before it), so only a first epoch longer than the whole
/// budget can overrun it.
/// </summary>
public sealed class TrainingBudget
{
    private readonly TimeProvider _clock;
    private readonly long _start;
    private TimeSpan _epochTotal;
    private int _epochs;
    private TimeSpan _lastEpoch;
    private TimeSpan _lastValidation;

    /// <param name="limit">The budget; zero or less lets exactly one epoch run.</param>
    /// <param name="clock">The clock to measure with (tests pass their own).</param>
    public TrainingBudget(TimeSpan limit, TimeProvider? clock = null)
    {
        Limit = limit;
        _clock = clock ?? TimeProvider.System;
        _start = _clock.GetTimestamp();
    }

    public TimeSpan Limit { get; }

    public TimeSpan Elapsed => _clock.GetElapsedTime(_start);

    /// <summary>What the next epoch is expected to take: the slower of the last epoch and the mean so far (epochs slow
    /// down when the machine gets busier, and the mean hides that), plus the last validation.</summary>
    public TimeSpan NextEpochEstimate => (_epochs == 0 ? TimeSpan.Zero : Max(_lastEpoch, _epochTotal / _epochs)) + _lastValidation;

    public void RecordEpoch(TimeSpan training)
    {
        _lastEpoch = training;
        _epochTotal += training;
        _epochs++;
    }

    public void RecordValidation(TimeSpan validation) => _lastValidation = validation;

    /// <summary>Whether one more epoch (with a validation) is expected to end inside the budget.</summary>
    public bool NextEpochFits() => Elapsed + NextEpochEstimate <= Limit;

    /// <summary>Why the budget ended training, for reports: what was used, of what, and what the next epoch needed.</summary>
    public string Explain() => string.Create(CultureInfo.InvariantCulture,
        $"{Format(Elapsed)} used of {Format(Limit)}; the next epoch with validation (~{Format(NextEpochEstimate)}) would not fit");

    /// <summary>"5 min 12 s", "48 s".</summary>
    public static string Format(TimeSpan span)
    {
        long seconds = (long)Math.Round(Math.Max(0, span.TotalSeconds));
        return seconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min {seconds % 60} s");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
