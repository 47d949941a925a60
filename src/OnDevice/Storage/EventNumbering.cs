namespace OnDeviceReco.Storage;

/// <summary>
/// The events' sequence numbers after a store was restored from a backup: the device id is the same, the counter
/// went back, and numbers the server already holds (for other events) get used again. The server names those and
/// its highest number; this moves them, and the counter, above it.
/// </summary>
internal static class EventNumbering
{
    /// <summary>
    /// Renumbers the pending <paramref name="conflicting"/> events between <paramref name="first"/> and
    /// <paramref name="through"/> above max(counter, newest event, <paramref name="serverHighest"/>), in their order,
    /// and raises the counter to at least <paramref name="serverHighest"/>. Runs inside the caller's transaction.
    /// </summary>
    /// <returns>How many events were numbered anew.</returns>
    public static int CatchUp(SqliteDatabase database, long first, long through, IReadOnlyList<long> conflicting, long serverHighest)
    {
        long counter = Counter(database);
        if (conflicting.Count == 0 && serverHighest <= counter)
        {
            return 0;
        }
        long next = Math.Max(Math.Max(counter, database.QueryInt64("SELECT coalesce(max(seq), 0) FROM events")), serverHighest);
        int renumbered = 0;
        foreach (long sequence in conflicting.Where(s => s >= first && s <= through).Order())
        {
            // Only an event still pending moves: the server's list cannot touch anything else.
            if (database.Execute($"UPDATE events SET seq = ?1 WHERE seq = ?2 AND sync_state = {(int)SyncState.Pending}", next + 1, sequence) == 1)
            {
                next++;
                renumbered++;
            }
        }
        SetCounter(database, Math.Max(next, serverHighest));
        return renumbered;
    }

    // AUTOINCREMENT keeps the largest number handed out in sqlite_sequence; new events get one more than the larger of
    // it and the newest row. Raising it is how numbers the server already holds are never handed out again.
    private static long Counter(SqliteDatabase database) =>
        database.QueryInt64("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");

    private static void SetCounter(SqliteDatabase database, long value)
    {
        if (database.Execute("UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'events' AND seq < ?1", value) == 0
            && Counter(database) < value)
        {
            database.Execute("INSERT INTO sqlite_sequence(name, seq) VALUES('events', ?1)", value);
        }
    }
}
