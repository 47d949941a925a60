using System.Data.Common;
using OnDeviceReco.Protocol.Wire;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

/// <summary>
/// The statements of one attribute batch, the same on SQLite and PostgreSQL, run by either store inside the batch's
/// one transaction (so a batch lands whole or not at all):
/// <list type="number">
/// <item>each user of the batch gets (or keeps) a row in <c>user_attribute_floors</c>, touched with an update that
/// takes its row lock — on PostgreSQL two nodes applying batches for one user queue there (users locked in ordinal
/// order, so never in a deadlock);</item>
/// <item>each change is applied when it is newer than the row of its key, and, for a key without a row, newer than
/// the user's floor (the newest change number ever pruned for that user, see below);</item>
/// <item>then every user of the batch is cut back to <see cref="InputLimits.MaxUserAttributes"/> values and as many
/// remembered removals: the oldest by change number (the device's own order, not its clock) are deleted and the
/// floor rises to the newest of them, so neither a late resend of a pruned change nor a stranger's flood brings
/// anything back or makes a user's rows grow without bound.</item>
/// </list>
/// Why keep the newest instead of refusing the batch: an honest device never holds more than the cap, yet the server
/// can see more when the two disagree (a removal made while consent was local-only never reaches the server; a store
/// restored from a backup forgets keys set after it). A refusal would then stall that device's attribute sync
/// forever, with nothing it could do; keeping the newest always converges on what the device set last.
/// </summary>
internal static class AttributeIngest
{
    private const string LockUser = """
        INSERT INTO user_attribute_floors(device, user_id, floor_seq) VALUES (@d, @u, 0)
        ON CONFLICT (device, user_id) DO UPDATE SET floor_seq = user_attribute_floors.floor_seq
        """;

    private const string Apply = """
        INSERT INTO user_attributes(device, user_id, key, value, change_seq, ts_ms)
        SELECT @d, @u, @k, @v, @s, @t
        WHERE @s > (SELECT floor_seq FROM user_attribute_floors WHERE device = @d AND user_id = @u)
        ON CONFLICT (device, user_id, key) DO UPDATE SET value = excluded.value, change_seq = excluded.change_seq, ts_ms = excluded.ts_ms
        WHERE excluded.change_seq > user_attributes.change_seq
        """;

    // Values and removals ranked apart, newest change first: what lies beyond the cap in either is pruned.
    private static readonly string Beyond = $"""
        SELECT key, change_seq, has_value FROM (
            SELECT key, change_seq, CASE WHEN value IS NULL THEN 0 ELSE 1 END AS has_value,
                   row_number() OVER (PARTITION BY value IS NULL ORDER BY change_seq DESC) AS newest
            FROM user_attributes WHERE device = @d AND user_id = @u) ranked
        WHERE newest > {InputLimits.MaxUserAttributes}
        """;

    private const string Prune = "DELETE FROM user_attributes WHERE device = @d AND user_id = @u AND key = @k";

    private const string RaiseFloor = "UPDATE user_attribute_floors SET floor_seq = @s WHERE device = @d AND user_id = @u AND floor_seq < @s";

    private const string Highest = """
        SELECT coalesce(max(newest), 0) FROM (
            SELECT max(change_seq) AS newest FROM user_attributes WHERE device = @d
            UNION ALL SELECT max(floor_seq) FROM user_attribute_floors WHERE device = @d) known
        """;

    /// <summary>Applies <paramref name="batch"/> for the device with row id <paramref name="device"/>.</summary>
    public static AttributeIngestResult Run(AttributeBatch batch, long device, DbConnection connection, DbTransaction transaction)
    {
        var users = batch.Changes.Select(c => c.UserId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (string user in users)
        {
            Execute(connection, transaction, LockUser, ("@d", device), ("@u", user));
        }
        int applied = 0;
        foreach (var change in batch.Changes)
        {
            applied += Execute(connection, transaction, Apply, ("@d", device), ("@u", change.UserId), ("@k", change.Key), ("@v", (object?)change.Value ?? DBNull.Value),
                ("@s", change.Sequence), ("@t", change.TimestampMs));
        }
        int evicted = 0;
        foreach (string user in users)
        {
            var pruned = Query(connection, transaction, Beyond, r => (Key: r.GetString(0), Sequence: r.GetInt64(1), HadValue: r.GetInt32(2) == 1), ("@d", device), ("@u", user));
            foreach (var row in pruned)
            {
                Execute(connection, transaction, Prune, ("@d", device), ("@u", user), ("@k", row.Key));
            }
            if (pruned.Count > 0)
            {
                Execute(connection, transaction, RaiseFloor, ("@d", device), ("@u", user), ("@s", pruned.Max(r => r.Sequence)));
            }
            evicted += pruned.Count(r => r.HadValue);
        }
        long newest = Single(connection, transaction, Highest, r => r.GetInt64(0), ("@d", device));
        return new AttributeIngestResult(applied, batch.Changes.Count - applied, evicted, newest);
    }
}
