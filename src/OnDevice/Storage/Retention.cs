namespace OnDeviceReco.Storage;

/// <summary>Keeps the store inside its bounds: at most MaxRows events, none older than MaxAge, oldest first.</summary>
internal static class Retention
{
    /// <summary>Deletes what is over the limits inside the caller's transaction; returns how many rows went.</summary>
    public static long Apply(SqliteDatabase database, StoreOptions options, long rowCount, long nowMs)
    {
        long evicted = 0;
        long cutoffMs = nowMs - (long)options.MaxAge.TotalMilliseconds;
        evicted += database.Execute("DELETE FROM events WHERE ts_ms < ?1", cutoffMs);

        long excess = rowCount - evicted - options.MaxRows;
        if (excess > 0)
        {
            // seq only grows, so the smallest seqs are the oldest rows.
            evicted += database.Execute("DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?1)", excess);
        }
        return evicted;
    }
}
