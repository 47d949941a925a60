using Npgsql;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Storage.Postgres;

// User attributes on PostgreSQL: one upsert per change that only wins when its sequence id is newer. The row lock of
// the upsert orders two nodes applying changes of one key at once; the higher sequence id wins either way.
public sealed partial class PostgresFeedbackStore
{
    public AttributeIngestResult IngestAttributes(AttributeBatch batch)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        long device = DeviceKey(batch.DeviceId);
        int applied = 0;
        foreach (var change in batch.Changes)
        {
            applied += Execute(connection, transaction, """
                INSERT INTO user_attributes(device, user_id, key, value, change_seq, ts_ms) VALUES (@d, @u, @k, @v, @s, @t)
                ON CONFLICT (device, user_id, key) DO UPDATE SET value = EXCLUDED.value, change_seq = EXCLUDED.change_seq, ts_ms = EXCLUDED.ts_ms
                WHERE EXCLUDED.change_seq > user_attributes.change_seq
                """,
                ("d", device), ("u", change.UserId), ("k", change.Key), ("v", (object?)change.Value ?? DBNull.Value),
                ("s", change.Sequence), ("t", change.TimestampMs));
        }
        transaction.Commit();
        return new AttributeIngestResult(applied, batch.Changes.Count - applied);
    }

    public IEnumerable<StoredAttribute> ReadAttributes()
    {
        using var connection = _dataSource.OpenConnection();
        using var command = new NpgsqlCommand("""
            SELECT d.device_id, a.user_id, a.key, a.value
            FROM user_attributes a JOIN devices d ON d.id = a.device
            WHERE a.value IS NOT NULL
            ORDER BY a.device, a.user_id, a.key
            """, connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredAttribute(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
    }

    public IEnumerable<StoredSearch> ReadSearches()
    {
        using var connection = _dataSource.OpenConnection();
        using var command = new NpgsqlCommand($"""
            SELECT DISTINCT d.device_id, e.user_id, e.item_id
            FROM events e JOIN devices d ON d.id = e.device
            WHERE e.type = {(int)EventType.Search}
            """, connection)
        {
            CommandTimeout = 0, // a scan of every event, like the training read
        };
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredSearch(reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
    }
}
