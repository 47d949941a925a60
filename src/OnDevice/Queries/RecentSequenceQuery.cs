using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>The last N items a user touched, oldest first, as a sequence model consumes them.</summary>
internal static class RecentSequenceQuery
{
    public static IReadOnlyList<RecentItem> Run(SqliteDatabase database, string userId, int maxLength,
        IReadOnlySet<EventType>? types, bool collapseRepeats)
    {
        var items = new List<RecentItem>(Math.Min(maxLength, 256));
        // Newest first, so the scan can stop as soon as enough items are collected.
        var select = database.Cached("SELECT item_id, type, ts_ms, value FROM events WHERE user_id = ?1 ORDER BY seq DESC");
        select.Bind(1, userId);
        try
        {
            while (items.Count < maxLength && select.Step())
            {
                var type = (EventType)select.ColumnInt64(1);
                if (types is not null && !types.Contains(type))
                {
                    continue;
                }
                string itemId = select.ColumnText(0)!;
                // Scanning backwards, the newer event of a repeated item is already in the list: keep it.
                if (collapseRepeats && items.Count > 0 && items[^1].ItemId == itemId)
                {
                    continue;
                }
                items.Add(new RecentItem(itemId, type, DateTimeOffset.FromUnixTimeMilliseconds(select.ColumnInt64(2)), select.ColumnDouble(3)));
            }
        }
        finally
        {
            select.Reset();
        }
        items.Reverse();
        return items;
    }
}
