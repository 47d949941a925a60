namespace OnDeviceReco.Storage;

/// <summary>
/// <see cref="StoreOptions.MaxDatabaseBytes"/> on the write connection, as SQLite's max_page_count: a commit that would
/// grow the file past it fails with SQLITE_FULL, exactly as on a full disk, so one path handles both (the events stay
/// queued, Flush reports <see cref="StoreErrorKind.DiskFull"/>). SQLite never sets it below the file's current size.
/// The limit belongs to the connection, so every new write connection gets it again.
/// </summary>
internal sealed class DatabaseSizeLimit
{
    private readonly long _unboundedPages;

    /// <summary>Remembers the connection's own limit (SQLite's build-time maximum), which "no bound" restores.</summary>
    public DatabaseSizeLimit(SqliteDatabase database, long? maxBytes)
    {
        _unboundedPages = database.QueryInt64("PRAGMA max_page_count");
        MaxBytes = maxBytes;
    }

    /// <summary>The bound in bytes, or null when only the disk bounds the file.</summary>
    public long? MaxBytes { get; set; }

    public void ApplyTo(SqliteDatabase database)
    {
        long pages = MaxBytes is { } bytes ? Math.Max(1, bytes / database.QueryInt64("PRAGMA page_size")) : _unboundedPages;
        database.QueryInt64(FormattableString.Invariant($"PRAGMA max_page_count = {pages}"));
    }
}
