using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Events;

/// <summary>What a well-formed batch must also satisfy to be stored: the device SDK's own rules, checked again.</summary>
public static class EventRules
{
    public const int MaxIdLength = 256;

    /// <summary>Longest device id a device may register with.</summary>
    public const int MaxDeviceIdLength = 128;

    /// <summary>Null when the batch is acceptable, else what is wrong with the first bad event.</summary>
    public static string? Check(EventBatch batch, DateTimeOffset now)
    {
        long latest = now.AddDays(1).ToUnixTimeMilliseconds();
        foreach (var e in batch.Events)
        {
            string? problem =
                e.Type is not ((>= 1 and <= 8) or (>= 1000 and <= 1999)) ? $"type {e.Type} is not a known event type (1–8, 1000–1999)"
                : e.UserId.Length > MaxIdLength || string.IsNullOrWhiteSpace(e.UserId) ? "user id is empty or longer than 256 characters"
                : e.ItemId.Length > MaxIdLength || string.IsNullOrWhiteSpace(e.ItemId) ? "item id is empty or longer than 256 characters"
                : e.TimestampMs < 0 || e.TimestampMs > latest ? $"timestamp {e.TimestampMs} is before 1970 or in the future"
                : null;
            if (problem is not null)
            {
                return $"Event with sequence id {e.Sequence}: {problem}.";
            }
        }
        return null;
    }
}
