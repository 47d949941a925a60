namespace OnDeviceReco.Storage;

/// <summary>The kv table: small pieces of SDK state that must survive restarts.</summary>
internal static class KeyValue
{
    public const string Consent = "consent";
    public const string DeviceId = "device_id";
    public const string DeviceSecret = "device_secret";
    public const string EvictedTotal = "evicted_total";
    public const string SyncRefusedTotal = "sync_refused_total";
    public const string AttributeChangeSequence = "attribute_change_seq";

    /// <summary>Set before this identity first tries to register with a server: from then on its erasure must reach the server too.</summary>
    public const string ServerContact = "server_contact";

    /// <summary>The sync's saved device token (<c>DeviceSession</c>).</summary>
    public const string SyncCredential = "sync_credential";

    public static string? Get(SqliteDatabase database, string key) =>
        database.QueryFirst("SELECT value FROM kv WHERE key = ?1", static row => row.ColumnText(0), key);

    public static void Set(SqliteDatabase database, string key, string value) =>
        database.Execute("INSERT INTO kv(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
}
