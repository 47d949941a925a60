namespace OnDeviceReco.Protocol.Events;

/// <summary>
/// The one definition of a valid user attribute (a categorical fact the app knows about a user: platform, locale,
/// age band…), shared by the device (which refuses it when it is set) and the server (which checks every synced
/// change again), in the style of <see cref="EventContract"/>.
/// </summary>
public static class AttributeContract
{
    /// <summary>The key: visible text of at most <see cref="InputLimits.MaxAttributeKeyBytes"/> UTF-8 bytes, no control characters.</summary>
    public static EventViolation? CheckKey(string? key) => EventContract.CheckText(key, "attribute key", InputLimits.MaxAttributeKeyBytes);

    /// <summary>The value: visible text of at most <see cref="InputLimits.MaxAttributeValueBytes"/> UTF-8 bytes, no control characters.</summary>
    public static EventViolation? CheckValue(string? value) => EventContract.CheckText(value, "attribute value", InputLimits.MaxAttributeValueBytes);

    /// <summary>
    /// Every rule for one synced change: user id, key, and the value unless the change removes the attribute
    /// (<paramref name="value"/> null).
    /// </summary>
    public static EventViolation? CheckSynced(string? userId, string? key, string? value, long timestampMs) =>
        EventContract.CheckText(userId, "user id", InputLimits.MaxIdBytes)
        ?? CheckKey(key)
        ?? (value is null ? null : CheckValue(value))
        ?? EventContract.CheckTimestamp(timestampMs, 0, TimeSpan.MaxValue);

    /// <summary>Whether one more distinct key fits a user who has <paramref name="keys"/> already.</summary>
    public static EventViolation? CheckCount(int keys) =>
        keys < InputLimits.MaxUserAttributes
            ? null
            : new("attribute key", InvalidInputReason.TooManyEntries,
                $"The user already has {keys} attributes; at most {InputLimits.MaxUserAttributes} are allowed.");
}
