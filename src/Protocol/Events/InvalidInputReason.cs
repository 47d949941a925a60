namespace OnDeviceReco;

/// <summary>Why an event or item was refused. Stable numbers, mapped to result codes by the C ABI.</summary>
public enum InvalidInputReason
{
    /// <summary>A required string was null.</summary>
    Null = 1,
    /// <summary>A required string was empty, or holds nothing visible (only spaces or invisible format characters).</summary>
    Empty = 2,
    /// <summary>A string is longer than its limit in UTF-8 bytes.</summary>
    TooLong = 3,
    /// <summary>A string holds control characters or unpaired surrogates (not valid UTF-8 text).</summary>
    InvalidText = 4,
    /// <summary>The value is NaN or infinite.</summary>
    NotFinite = 5,
    /// <summary>The event type is neither built in nor in the app-defined range.</summary>
    UnknownEventType = 6,
    /// <summary>The timestamp is before 1970 or further in the future than the allowed clock skew.</summary>
    TimestampOutOfRange = 7,
    /// <summary>The context map or category list has too many entries.</summary>
    TooManyEntries = 8,
}
