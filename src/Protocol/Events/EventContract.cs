using System.Globalization;
using System.Text;

namespace OnDeviceReco.Protocol.Events;

/// <summary>
/// The one definition of a valid event, shared by the device (which refuses an invalid event at Track) and the
/// server (which checks every synced event again). Because both sides call the same code, an event a device
/// accepted is never refused by a server of the same version; a server refuses only events that an older or
/// foreign client let through.
/// </summary>
public static class EventContract
{
    /// <summary>How far ahead of the device's clock an event may be dated when it is tracked.</summary>
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromDays(1);

    /// <summary>
    /// A required text field: not null, something visible (not only white space or invisible format characters
    /// such as U+200B), at most <paramref name="maxBytes"/> UTF-8 bytes, no control characters, no unpaired surrogates.
    /// </summary>
    public static EventViolation? CheckText(string? value, string field, int maxBytes)
    {
        if (value is null)
        {
            return new(field, InvalidInputReason.Null, $"{field} must not be null.");
        }
        if (value.Length == 0)
        {
            return new(field, InvalidInputReason.Empty, $"{field} must not be empty.");
        }
        // Cheap upper bound first: a UTF-16 char never needs more than 3 UTF-8 bytes.
        if (value.Length * 3 > maxBytes && Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            return new(field, InvalidInputReason.TooLong, $"{field} is longer than {maxBytes} UTF-8 bytes.");
        }
        return TextShape(value) switch
        {
            Shape.Invalid => new(field, InvalidInputReason.InvalidText, $"{field} contains control characters or an unpaired surrogate."),
            Shape.Invisible => new(field, InvalidInputReason.Empty, $"{field} holds only white space or invisible characters."),
            _ => null,
        };
    }

    /// <summary>Built in (1–10) or app-defined (1000–1999).</summary>
    public static EventViolation? CheckType(int type) =>
        EventTypes.IsValid((EventType)type)
            ? null
            : new("type", InvalidInputReason.UnknownEventType,
                $"Event type {type} is neither built in (1–{EventTypes.BuiltInLast}) nor app-defined ({EventTypes.AppDefinedFirst}–{EventTypes.AppDefinedLast}).");

    /// <summary>A finite number.</summary>
    public static EventViolation? CheckValue(double value) =>
        double.IsFinite(value) ? null : new("value", InvalidInputReason.NotFinite, "The event value must be a finite number.");

    /// <summary>
    /// Not before 1970 and at most <paramref name="maxAhead"/> after <paramref name="nowMs"/>. The device checks
    /// against its own clock when tracking; the server, which cannot know which clock was right, passes
    /// <see cref="TimeSpan.MaxValue"/> and corrects the time instead of refusing the event.
    /// </summary>
    public static EventViolation? CheckTimestamp(long timestampMs, long nowMs, TimeSpan maxAhead)
    {
        long latest = maxAhead >= TimeSpan.FromDays(365_000) ? long.MaxValue : nowMs + (long)maxAhead.TotalMilliseconds;
        return timestampMs >= 0 && timestampMs <= latest
            ? null
            : new("timestamp", InvalidInputReason.TimestampOutOfRange,
                $"The timestamp {timestampMs.ToString(CultureInfo.InvariantCulture)} ms is before 1970 or more than {maxAhead} ahead of the device clock.");
    }

    /// <summary>At most <see cref="InputLimits.MaxContextEntries"/> entries of valid keys and values.</summary>
    public static EventViolation? CheckContext(IReadOnlyDictionary<string, string>? context)
    {
        if (context is null || context.Count == 0)
        {
            return null;
        }
        if (context.Count > InputLimits.MaxContextEntries)
        {
            return new("context", InvalidInputReason.TooManyEntries,
                $"The context map has {context.Count} entries; at most {InputLimits.MaxContextEntries} are allowed.");
        }
        foreach (var (key, value) in context)
        {
            if ((CheckText(key, "context key", InputLimits.MaxContextKeyBytes) ?? CheckText(value, "context value", InputLimits.MaxContextValueBytes)) is { } violation)
            {
                return violation;
            }
        }
        return null;
    }

    /// <summary>Every rule but the clock: what the server checks for each synced event.</summary>
    public static EventViolation? CheckSynced(string? userId, string? itemId, int type, double value, long timestampMs,
        IReadOnlyDictionary<string, string>? context) =>
        CheckText(userId, "user id", InputLimits.MaxIdBytes)
        ?? CheckText(itemId, "item id", InputLimits.MaxIdBytes)
        ?? CheckType(type)
        ?? CheckValue(value)
        ?? CheckTimestamp(timestampMs, 0, TimeSpan.MaxValue)
        ?? CheckContext(context);

    private enum Shape { Visible, Invisible, Invalid }

    // Control characters break logs and C strings; unpaired surrogates cannot be encoded as UTF-8; an id made only
    // of spaces or zero-width characters looks empty to every person who reads it.
    private static Shape TextShape(string value)
    {
        bool visible = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c))
            {
                return Shape.Invalid;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return Shape.Invalid;
                }
                i++;
                visible = true; // astral characters (emoji, CJK extensions) are visible
            }
            else if (char.IsLowSurrogate(c))
            {
                return Shape.Invalid;
            }
            else if (!visible && !char.IsWhiteSpace(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)
            {
                visible = true;
            }
        }
        return visible ? Shape.Visible : Shape.Invisible;
    }
}
