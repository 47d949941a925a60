namespace OnDeviceReco.TestSupport;

/// <summary>A clock the test moves by hand (the server's, or a device's that is set wrong). Safe to read while
/// another thread advances it.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
