using OnDeviceReco.Trainer.Privacy;

namespace OnDeviceReco.Trainer.Training;

/// <summary>One point of a training curve; validation is null on epochs that were not evaluated.</summary>
public sealed record EpochRecord(int Epoch, double Loss, double? ValidationNdcg10, double Seconds);

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>The epoch limit was reached.</summary>
    EpochCap,
    /// <summary>Validation stopped improving for the recipe's patience.</summary>
    Patience,
    /// <summary>The wall-clock budget ran out (after the epoch in progress finished).</summary>
    TimeBudget,
}

/// <summary>What training produced: the best epoch by validation, the whole curve and why it stopped.</summary>
/// <param name="StopDetail">The stop in words for reports, e.g. "after epoch 8: 4 min 52 s used of 5 min 0 s; the next
/// epoch with validation (~51 s) would not fit".</param>
/// <param name="Privacy">What a user-level DP run spent (<see cref="UserLevelPrivacy"/>); null for ordinary training.</param>
public sealed record TrainingResult(int BestEpoch, double BestValidationNdcg10, int EpochsRun, double TrainSeconds, IReadOnlyList<EpochRecord> Curve,
    StopReason Stopped = StopReason.EpochCap, string StopDetail = "", PrivacySpent? Privacy = null)
{
    public double SecondsPerEpoch => EpochsRun == 0 ? 0 : TrainSeconds / EpochsRun;

    /// <summary>The stop reason as reports write it: "epoch cap", "patience" or "time budget".</summary>
    public string StoppedText => Stopped switch
    {
        StopReason.Patience => "patience",
        StopReason.TimeBudget => "time budget",
        _ => "epoch cap",
    };
}
