using System.Text;

namespace OnDeviceReco;

/// <summary>Checks every field of an incoming event before anything is queued.</summary>
internal static class EventValidator
{
    public static void ValidateText(string? value, string paramName, int maxBytes)
    {
        if (value is null)
        {
            throw new InvalidEventException(paramName, InvalidInputReason.Null, $"{paramName} must not be null.");
        }
        if (value.Length == 0)
        {
            throw new InvalidEventException(paramName, InvalidInputReason.Empty, $"{paramName} must not be empty.");
        }
        // Cheap upper bound first: a UTF-16 char never needs more than 3 UTF-8 bytes.
        if (value.Length * 3 > maxBytes && Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            throw new InvalidEventException(paramName, InvalidInputReason.TooLong,
                $"{paramName} is longer than {maxBytes} UTF-8 bytes.");
        }
        if (!IsCleanText(value))
        {
            throw new InvalidEventException(paramName, InvalidInputReason.InvalidText,
                $"{paramName} contains control characters or an unpaired surrogate.");
        }
    }

    // Control characters break logs and C strings; unpaired surrogates cannot be encoded as UTF-8.
    private static bool IsCleanText(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c < ' ' || c == '\u007F')
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    public static void ValidateType(EventType type)
    {
        if (!EventTypes.IsValid(type))
        {
            throw new InvalidEventException(nameof(type), InvalidInputReason.UnknownEventType,
                $"Event type {(int)type} is neither built in (1–8) nor app-defined ({EventTypes.AppDefinedFirst}–{EventTypes.AppDefinedLast}).");
        }
    }

    public static void ValidateValue(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidEventException(nameof(value), InvalidInputReason.NotFinite, "The event value must be a finite number.");
        }
    }

    public static void ValidateTimestamp(long timestampMs, long nowMs, TimeSpan maxClockSkew)
    {
        if (timestampMs < 0 || timestampMs > nowMs + (long)maxClockSkew.TotalMilliseconds)
        {
            throw new InvalidEventException("timestamp", InvalidInputReason.TimestampOutOfRange,
                $"The timestamp {timestampMs} ms is before 1970 or more than {maxClockSkew} ahead of the device clock.");
        }
    }

    public static void ValidateContext(IReadOnlyDictionary<string, string>? context)
    {
        if (context is null || context.Count == 0)
        {
            return;
        }
        if (context.Count > InputLimits.MaxContextEntries)
        {
            throw new InvalidEventException(nameof(context), InvalidInputReason.TooManyEntries,
                $"The context map has {context.Count} entries; at most {InputLimits.MaxContextEntries} are allowed.");
        }
        foreach (var (key, value) in context)
        {
            ValidateText(key, "context key", InputLimits.MaxContextKeyBytes);
            ValidateText(value, "context value", InputLimits.MaxContextValueBytes);
        }
    }
}
