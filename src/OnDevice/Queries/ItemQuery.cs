using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Reads and writes item metadata.</summary>
internal static class ItemQuery
{
    public static ItemMetadata? Get(SqliteDatabase database, string itemId) =>
        database.QueryFirst("SELECT categories, attributes FROM items WHERE item_id = ?1",
            row => new ItemMetadata(itemId, ItemMetadata.SplitCategories(row.ColumnText(0)), TextMap.Deserialize(row.ColumnText(1))),
            itemId);

    public static IReadOnlyList<ItemMetadata> All(SqliteDatabase database, int limit) =>
        database.Query("SELECT item_id, categories, attributes FROM items ORDER BY item_id LIMIT ?1",
            static row => new ItemMetadata(row.ColumnText(0)!, ItemMetadata.SplitCategories(row.ColumnText(1)), TextMap.Deserialize(row.ColumnText(2))),
            limit);

    /// <summary>Upserts inside the caller's transaction.</summary>
    public static void Upsert(SqliteDatabase database, ItemMetadata item) =>
        database.Execute(
            """
            INSERT INTO items(item_id, categories, attributes) VALUES(?1, ?2, ?3)
            ON CONFLICT(item_id) DO UPDATE SET categories = excluded.categories, attributes = excluded.attributes
            """,
            item.ItemId, string.Join(ItemMetadata.CategorySeparator, item.Categories), TextMap.Serialize(item.Attributes));
}
