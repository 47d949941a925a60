using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Stored events in sequence order after a given sequence id (export, sync, tests).</summary>
internal static class EventsQuery
{
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static IReadOnlyList<BehaviorEvent> Run(SqliteDatabase database, long afterSequence, int count) =>
        database.Query(
            "SELECT seq, ts_ms, user_id, item_id, type, value, context FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            Read, afterSequence, count);

    /// <summary>The oldest <paramref name="count"/> events after <paramref name="afterSequence"/> waiting to be synced (the partial index covers exactly these).</summary>
    public static IReadOnlyList<BehaviorEvent> Unsynced(SqliteDatabase database, long afterSequence, int count) =>
        database.Query(
            "SELECT seq, ts_ms, user_id, item_id, type, value, context FROM events WHERE sync_state = 0 AND seq > ?1 ORDER BY seq LIMIT ?2",
            Read, afterSequence, count);

    private static BehaviorEvent Read(SqliteStatement row) => new(
        row.ColumnInt64(0),
        // Clamped: a row written by another SDK with a time outside DateTimeOffset's range must not stop sync or export.
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(row.ColumnInt64(1), 0, MaxUnixMs)),
        row.ColumnText(2)!,
        row.ColumnText(3)!,
        (EventType)row.ColumnInt64(4),
        row.ColumnDouble(5),
        TextMap.Deserialize(row.ColumnText(6)));
}
