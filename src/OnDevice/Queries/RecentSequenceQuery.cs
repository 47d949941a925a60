using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>The last N items a user touched, oldest first, as a sequence model consumes them.</summary>
internal static class RecentSequenceQuery
{
    public static IReadOnlyList<RecentItem> Run(SqliteDatabase database, string userId, int maxLength,
        IReadOnlySet<EventType>? types, bool collapseRepeats)
    {
        var items = new List<RecentItem>(Math.Min(maxLength, 256));
        if (maxLength <= 0)
        {
            return items;
        }
        // Newest first, so the scan can stop as soon as enough items are collected.
        database.ForEachRow("SELECT item_id, type, ts_ms, value FROM events WHERE user_id = ?1 ORDER BY seq DESC", row =>
        {
            var type = (EventType)row.ColumnInt64(1);
            if (types is not null && !types.Contains(type))
            {
                return true;
            }
            string itemId = row.ColumnText(0)!;
            // Scanning backwards, the newer event of a repeated item is already in the list: keep it.
            if (collapseRepeats && items.Count > 0 && items[^1].ItemId == itemId)
            {
                return true;
            }
            items.Add(new RecentItem(itemId, type, DateTimeOffset.FromUnixTimeMilliseconds(row.ColumnInt64(2)), row.ColumnDouble(3)));
            return items.Count < maxLength;
        }, userId);
        items.Reverse();
        return items;
    }
}
