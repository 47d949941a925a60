using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Reads and writes item metadata.</summary>
internal static class ItemQuery
{
    public static ItemMetadata? Get(SqliteDatabase database, string itemId)
    {
        var select = database.Cached("SELECT categories, attributes FROM items WHERE item_id = ?1");
        select.Bind(1, itemId);
        try
        {
            return select.Step()
                ? new ItemMetadata(itemId, ItemMetadata.SplitCategories(select.ColumnText(0)), TextMap.Deserialize(select.ColumnText(1)))
                : null;
        }
        finally
        {
            select.Reset();
        }
    }

    public static IReadOnlyList<ItemMetadata> All(SqliteDatabase database, int limit)
    {
        var select = database.Cached("SELECT item_id, categories, attributes FROM items ORDER BY item_id LIMIT ?1");
        select.Bind(1, limit);
        var items = new List<ItemMetadata>();
        try
        {
            while (select.Step())
            {
                items.Add(new ItemMetadata(select.ColumnText(0)!, ItemMetadata.SplitCategories(select.ColumnText(1)), TextMap.Deserialize(select.ColumnText(2))));
            }
        }
        finally
        {
            select.Reset();
        }
        return items;
    }

    /// <summary>Upserts inside the caller's transaction.</summary>
    public static void Upsert(SqliteDatabase database, ItemMetadata item)
    {
        database.Cached(
                """
                INSERT INTO items(item_id, categories, attributes) VALUES(?1, ?2, ?3)
                ON CONFLICT(item_id) DO UPDATE SET categories = excluded.categories, attributes = excluded.attributes
                """)
            .Bind(1, item.ItemId)
            .Bind(2, string.Join(ItemMetadata.CategorySeparator, item.Categories))
            .Bind(3, TextMap.Serialize(item.Attributes))
            .Run();
    }
}
