namespace OnDeviceReco.Trainer.Tests.Support;

/// <summary>A clock that moves only when the test moves it, so budget decisions do not depend on the machine's speed.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
