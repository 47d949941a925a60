using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Stored events in sequence order after a given sequence id (export, sync, tests).</summary>
internal static class EventsQuery
{
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static IReadOnlyList<BehaviorEvent> Run(SqliteDatabase database, long afterSequence, int count) =>
        Collect(database.Cached(
            "SELECT seq, ts_ms, user_id, item_id, type, value, context FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .Bind(1, afterSequence).Bind(2, count), count);

    /// <summary>The oldest <paramref name="count"/> events after <paramref name="afterSequence"/> waiting to be synced (the partial index covers exactly these).</summary>
    public static IReadOnlyList<BehaviorEvent> Unsynced(SqliteDatabase database, long afterSequence, int count) =>
        Collect(database.Cached(
            "SELECT seq, ts_ms, user_id, item_id, type, value, context FROM events WHERE sync_state = 0 AND seq > ?1 ORDER BY seq LIMIT ?2")
            .Bind(1, afterSequence).Bind(2, count), count);

    private static List<BehaviorEvent> Collect(SqliteStatement select, int count)
    {
        var events = new List<BehaviorEvent>(Math.Min(count, 4096));
        try
        {
            while (select.Step())
            {
                events.Add(new BehaviorEvent(
                    select.ColumnInt64(0),
                    // Clamped: a row written by another SDK with a time outside DateTimeOffset's range must not stop sync or export.
                    DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(select.ColumnInt64(1), 0, MaxUnixMs)),
                    select.ColumnText(2)!,
                    select.ColumnText(3)!,
                    (EventType)select.ColumnInt64(4),
                    select.ColumnDouble(5),
                    TextMap.Deserialize(select.ColumnText(6))));
            }
        }
        finally
        {
            select.Reset();
        }
        return events;
    }
}
