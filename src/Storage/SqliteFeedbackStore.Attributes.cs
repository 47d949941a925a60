using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Storage;

// User attributes on SQLite: one upsert per change that only wins when its sequence id is newer.
public sealed partial class SqliteFeedbackStore
{
    public AttributeIngestResult IngestAttributes(AttributeBatch batch)
    {
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            long device = DeviceKey(transaction, batch.DeviceId);
            int applied = 0;
            foreach (var change in batch.Changes)
            {
                applied += Execute(_writer, transaction, """
                    INSERT INTO user_attributes(device, user_id, key, value, change_seq, ts_ms) VALUES ($d, $u, $k, $v, $s, $t)
                    ON CONFLICT(device, user_id, key) DO UPDATE SET value = excluded.value, change_seq = excluded.change_seq, ts_ms = excluded.ts_ms
                    WHERE excluded.change_seq > user_attributes.change_seq
                    """,
                    ("$d", device), ("$u", change.UserId), ("$k", change.Key), ("$v", (object?)change.Value ?? DBNull.Value),
                    ("$s", change.Sequence), ("$t", change.TimestampMs));
            }
            transaction.Commit();
            return new AttributeIngestResult(applied, batch.Changes.Count - applied);
        }
    }

    public IEnumerable<StoredAttribute> ReadAttributes()
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.device_id, a.user_id, a.key, a.value
            FROM user_attributes a JOIN devices d ON d.id = a.device
            WHERE a.value IS NOT NULL
            ORDER BY a.device, a.user_id, a.key
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredAttribute(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
    }

    public IEnumerable<StoredSearch> ReadSearches()
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT DISTINCT d.device_id, e.user_id, e.item_id
            FROM events e JOIN devices d ON d.id = e.device
            WHERE e.type = {(int)EventType.Search}
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredSearch(reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
    }
}
