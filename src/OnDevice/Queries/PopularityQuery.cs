using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Most popular items over a time window: by distinct users, then interactions, then id for a stable order.</summary>
internal static class PopularityQuery
{
    public static IReadOnlyList<ItemPopularity> Run(SqliteDatabase database, long sinceMs, int count)
    {
        var select = database.Cached(
            $"""
            SELECT item_id, COUNT(DISTINCT user_id) AS users, COUNT(*) AS interactions
            FROM events
            WHERE ts_ms >= ?1 AND type NOT IN ({(int)EventType.Impression}, {(int)EventType.Dismiss})
            GROUP BY item_id
            ORDER BY users DESC, interactions DESC, item_id
            LIMIT ?2
            """);
        select.Bind(1, sinceMs).Bind(2, count);
        var items = new List<ItemPopularity>(Math.Min(count, 1024));
        try
        {
            while (select.Step())
            {
                items.Add(new ItemPopularity(select.ColumnText(0)!, select.ColumnInt64(1), select.ColumnInt64(2)));
            }
        }
        finally
        {
            select.Reset();
        }
        return items;
    }
}
