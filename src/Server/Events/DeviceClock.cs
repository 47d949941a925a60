using System.Globalization;
using OnDeviceReco.Protocol.Events;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Events;

/// <summary>
/// Devices send their clock with every upload (<see cref="Header"/>, Unix milliseconds). When it differs from the
/// server's by more than <see cref="Tolerance"/>, the device's clock is wrong and every timestamp in the batch is
/// shifted by the difference, so events from a device set hours or days off are stored — with times on the
/// server's clock — instead of being refused. Times still in the future after that are clamped.
/// </summary>
public static class DeviceClock
{
    public const string Header = "X-Device-Time";

    /// <summary>Differences below this are network delay, not a wrong clock, and are left alone.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(2);

    /// <summary>Milliseconds to add to the device's timestamps: 0 when the header is absent, unreadable or close to <paramref name="serverNow"/>.</summary>
    public static long OffsetMs(string? header, DateTimeOffset serverNow)
    {
        // A sign is allowed: a device whose clock is set before 1970 sends a negative time, and is the most wrong of all.
        if (!long.TryParse(header, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long deviceNowMs))
        {
            return 0;
        }
        long offset = (long)Int128.Clamp((Int128)serverNow.ToUnixTimeMilliseconds() - deviceNowMs, -long.MaxValue, long.MaxValue);
        return Math.Abs(offset) > Tolerance.TotalMilliseconds ? offset : 0;
    }

    /// <summary>The batch with its times on the server's clock: shifted by <paramref name="offsetMs"/>, at most the allowed skew ahead of now.</summary>
    public static EventBatch Correct(EventBatch batch, long offsetMs, DateTimeOffset serverNow)
    {
        long latest = serverNow.Add(EventContract.DefaultMaxClockSkew).ToUnixTimeMilliseconds();
        bool changes = offsetMs != 0 || batch.Events.Any(e => e.TimestampMs > latest);
        if (!changes)
        {
            return batch;
        }
        var events = batch.Events
            .Select(e => e with { TimestampMs = (long)Int128.Clamp((Int128)e.TimestampMs + offsetMs, 0, latest) }) // no overflow for hostile values
            .ToList();
        return batch with { Events = events };
    }

    /// <summary>An attribute batch with its times on the server's clock, as <see cref="Correct(EventBatch, long, DateTimeOffset)"/> does for events.</summary>
    public static AttributeBatch Correct(AttributeBatch batch, long offsetMs, DateTimeOffset serverNow)
    {
        long latest = serverNow.Add(EventContract.DefaultMaxClockSkew).ToUnixTimeMilliseconds();
        if (offsetMs == 0 && batch.Changes.All(c => c.TimestampMs >= 0 && c.TimestampMs <= latest))
        {
            return batch;
        }
        var changes = batch.Changes
            .Select(c => c with { TimestampMs = (long)Int128.Clamp((Int128)c.TimestampMs + offsetMs, 0, latest) })
            .ToList();
        return batch with { Changes = changes };
    }
}
