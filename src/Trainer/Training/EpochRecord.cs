namespace OnDeviceReco.Trainer.Training;

/// <summary>One point of a training curve; validation is null on epochs that were not evaluated.</summary>
public sealed record EpochRecord(int Epoch, double Loss, double? ValidationNdcg10, double Seconds);

/// <summary>What training produced: the best epoch by validation and the whole curve.</summary>
public sealed record TrainingResult(int BestEpoch, double BestValidationNdcg10, int EpochsRun, double TrainSeconds, IReadOnlyList<EpochRecord> Curve)
{
    public double SecondsPerEpoch => EpochsRun == 0 ? 0 : TrainSeconds / EpochsRun;
}
