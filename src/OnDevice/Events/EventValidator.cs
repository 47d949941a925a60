using OnDeviceReco.Protocol.Events;

namespace OnDeviceReco;

/// <summary>
/// The shared <see cref="EventContract"/> as exceptions: every field of an incoming event is checked before
/// anything is queued, by the same rules the server applies to synced events.
/// </summary>
internal static class EventValidator
{
    public static void ValidateText(string? value, string paramName, int maxBytes) =>
        ThrowIf(EventContract.CheckText(value, paramName, maxBytes));

    public static void ValidateType(EventType type) => ThrowIf(EventContract.CheckType((int)type));

    public static void ValidateValue(double value) => ThrowIf(EventContract.CheckValue(value));

    public static void ValidateTimestamp(long timestampMs, long nowMs, TimeSpan maxClockSkew) =>
        ThrowIf(EventContract.CheckTimestamp(timestampMs, nowMs, maxClockSkew));

    public static void ValidateContext(IReadOnlyDictionary<string, string>? context) => ThrowIf(EventContract.CheckContext(context));

    private static void ThrowIf(EventViolation? violation)
    {
        if (violation is not null)
        {
            throw new InvalidEventException(violation.Field, violation.Reason, violation.Message);
        }
    }
}
