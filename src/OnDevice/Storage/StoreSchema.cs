namespace OnDeviceReco.Storage;

/// <summary>
/// The store's schema as an ordered list of forward migrations. <c>PRAGMA user_version</c> holds how many
/// have run; a database from an older SDK is brought forward step by step, each step in one transaction.
/// </summary>
internal static class StoreSchema
{
    /// <summary>Schema version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    // Never edit a shipped step: devices in the field have run it. Add a new one at the end.
    private static readonly string[] Migrations =
    [
        // 1: events, item metadata, SDK state.
        """
        CREATE TABLE events(
            seq     INTEGER PRIMARY KEY AUTOINCREMENT,
            ts_ms   INTEGER NOT NULL,
            user_id TEXT    NOT NULL,
            item_id TEXT    NOT NULL,
            type    INTEGER NOT NULL,
            value   REAL    NOT NULL DEFAULT 0,
            context TEXT
        );
        CREATE INDEX events_by_user ON events(user_id, seq);
        CREATE INDEX events_by_time ON events(ts_ms);
        CREATE TABLE items(
            item_id    TEXT PRIMARY KEY,
            categories TEXT NOT NULL DEFAULT '',
            attributes TEXT
        ) WITHOUT ROWID;
        CREATE TABLE kv(
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
        // 2: sync state per event (0 pending, 1 synced, 2 local only), with a small index over what is pending.
        """
        ALTER TABLE events ADD COLUMN sync_state INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_pending_sync ON events(seq) WHERE sync_state = 0;
        """,
        // 3: user attributes (platform, locale, age band…), one row per (user, key). A removal keeps the row with
        //    value NULL until the server acknowledged it; change_seq orders changes for the server (never reused).
        """
        CREATE TABLE user_attributes(
            user_id    TEXT    NOT NULL,
            key        TEXT    NOT NULL,
            value      TEXT,
            change_seq INTEGER NOT NULL,
            ts_ms      INTEGER NOT NULL,
            sync_state INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX user_attributes_pending_sync ON user_attributes(change_seq) WHERE sync_state = 0;
        """,
    ];

    /// <summary>Runs every migration the database has not seen yet.</summary>
    /// <exception cref="BehaviorStoreException">When the file was written by a newer SDK.</exception>
    public static int Migrate(SqliteDatabase database)
    {
        int version = (int)database.QueryInt64("PRAGMA user_version");
        if (version > CurrentVersion)
        {
            throw new BehaviorStoreException(StoreErrorKind.SchemaTooNew,
                $"'{database.Path}' has schema version {version}; this SDK understands up to {CurrentVersion}. Update the SDK or erase the store.");
        }
        for (int step = version; step < CurrentVersion; step++)
        {
            database.InTransaction(_ =>
            {
                database.Execute(Migrations[step]);
                database.Execute($"PRAGMA user_version = {step + 1}");
            });
        }
        return version;
    }

    /// <summary>The SQL of one migration step, for tests that build an old database the way an old SDK did.</summary>
    internal static string MigrationSql(int toVersion) => Migrations[toVersion - 1];
}
