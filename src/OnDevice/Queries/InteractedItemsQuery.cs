using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Every item a user interacted with (being shown an item is not an interaction; a search names no item).</summary>
internal static class InteractedItemsQuery
{
    public static HashSet<string> Run(SqliteDatabase database, string userId) =>
        Distinct(database, $"SELECT DISTINCT item_id FROM events WHERE user_id = ?1 AND type NOT IN ({(int)EventType.Impression}, {(int)EventType.Search})", userId);

    /// <summary>Items the user was shown.</summary>
    public static HashSet<string> Shown(SqliteDatabase database, string userId) =>
        Distinct(database, $"SELECT DISTINCT item_id FROM events WHERE user_id = ?1 AND type = {(int)EventType.Impression}", userId);

    /// <summary>Items the user gave an onboarding answer about, recorded as <paramref name="type"/> with exactly <paramref name="context"/>.</summary>
    public static HashSet<string> Answered(SqliteDatabase database, string userId, EventType type, string context) =>
        new(database.Query("SELECT DISTINCT item_id FROM events WHERE user_id = ?1 AND type = ?2 AND context = ?3",
            static row => row.ColumnText(0)!, userId, (long)type, context), StringComparer.Ordinal);

    /// <summary>How many times each item was shown to the user (impression events), for exploration's evidence counts.</summary>
    public static Dictionary<string, int> ShownCounts(SqliteDatabase database, string userId) =>
        database.Query($"SELECT item_id, COUNT(*) FROM events WHERE user_id = ?1 AND type = {(int)EventType.Impression} GROUP BY item_id",
            static row => (Id: row.ColumnText(0)!, Count: (int)row.ColumnInt64(1)), userId)
            .ToDictionary(r => r.Id, r => r.Count, StringComparer.Ordinal);

    private static HashSet<string> Distinct(SqliteDatabase database, string sql, string userId) =>
        new(database.Query(sql, static row => row.ColumnText(0)!, userId), StringComparer.Ordinal);
}
