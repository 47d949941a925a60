using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Most popular items over a time window: by distinct users, then interactions, then id for a stable order (searches name no item).</summary>
internal static class PopularityQuery
{
    public static IReadOnlyList<ItemPopularity> Run(SqliteDatabase database, long sinceMs, int count) =>
        database.Query(
            $"""
            SELECT item_id, COUNT(DISTINCT user_id) AS users, COUNT(*) AS interactions
            FROM events
            WHERE ts_ms >= ?1 AND type NOT IN ({(int)EventType.Impression}, {(int)EventType.Dismiss}, {(int)EventType.Search})
            GROUP BY item_id
            ORDER BY users DESC, interactions DESC, item_id
            LIMIT ?2
            """,
            static row => new ItemPopularity(row.ColumnText(0)!, row.ColumnInt64(1), row.ColumnInt64(2)),
            sinceMs, count);
}
