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
