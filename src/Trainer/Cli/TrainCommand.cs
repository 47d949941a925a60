namespace OnDeviceReco.Trainer.Cli;

/// <summary>train --data DIR --out BUNDLE_DIR: trains on all data and writes a signed model bundle.</summary>
public static class TrainCommand
{
    public static int Run(string[] args) => throw new UsageException("train is not available yet.");
}
