namespace OnDeviceReco.Server.Tests.Support;

/// <summary>The real time shifted by a fixed amount: a device whose clock is set wrong but still ticks.</summary>
public sealed class OffsetClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + offset;
}
