namespace OnDeviceReco.Protocol.Export;

/// <summary>
/// The JSON field names of the data exports (a user's right of access and portability): the device's export of its
/// store and the server's export of what it holds under a device. Both sides write events with the same names, so an
/// export from each can be compared field by field. Names are stable: a later schema only adds fields
/// (<see cref="SchemaVersion"/> counts the additions). docs/privacy.md describes every field.
/// </summary>
public static class ExportFields
{
    /// <summary>The schema version both exports write; raised when a field is added, never when one would change.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The <c>format</c> of the device's export.</summary>
    public const string DeviceFormat = "ondevicereco-device-export";

    /// <summary>The <c>format</c> of the server's export.</summary>
    public const string ServerFormat = "ondevicereco-server-export";

    // The field names below are what they say; docs/privacy.md describes what each field holds.
#pragma warning disable CS1591
    public const string Format = "format";
    public const string Schema = "schema_version";
    public const string ExportedAt = "exported_at";
    public const string Scope = "scope";
    public const string Device = "device";
    public const string DeviceId = "device_id";
    public const string FirstSeen = "first_seen";
    public const string Consent = "consent";
    public const string ModelVersion = "model_version";
    public const string ExperimentArm = "experiment_arm";
    public const string Experiment = "experiment";
    public const string Arm = "arm";
    public const string PendingServerErasures = "pending_server_erasures";
    public const string Users = "users";
    public const string UserId = "user_id";
    public const string Events = "events";
    public const string Sequence = "sequence";
    public const string Time = "time";
    public const string TimeMs = "time_ms";
    public const string ItemId = "item_id";
    public const string Type = "type";
    public const string TypeCode = "type_code";
    public const string Value = "value";
    public const string Context = "context";
    public const string SyncState = "sync_state";
    public const string Attributes = "attributes";
    public const string Key = "key";
    public const string ChangeSequence = "change_sequence";
    public const string ChangedAt = "changed_at";
    public const string OnboardingAnswers = "onboarding_answers";
    public const string Answer = "answer";
    public const string Batches = "batches";
    public const string BatchId = "batch_id";
    public const string LastSequence = "last_sequence";
    public const string Stored = "stored";
    public const string AlreadyStored = "already_stored";
    public const string ReceivedAt = "received_at";
#pragma warning restore CS1591

    /// <summary>The name an export gives an event type: the built-in type's name in lower case, <c>app</c> for types 1000–1999.</summary>
    public static string TypeName(int type) => (EventType)type switch
    {
        EventType.View => "view",
        EventType.Click => "click",
        EventType.Play => "play",
        EventType.Purchase => "purchase",
        EventType.Rate => "rate",
        EventType.Dwell => "dwell",
        EventType.Impression => "impression",
        EventType.Dismiss => "dismiss",
        EventType.Search => "search",
        EventType.StoreVisit => "store_visit",
        _ => "app",
    };

    /// <summary>A time as exports write it: ISO 8601 in UTC with milliseconds.</summary>
    public static string TimeText(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(unixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
