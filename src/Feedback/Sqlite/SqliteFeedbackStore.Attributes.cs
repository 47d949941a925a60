using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback.Sqlite;

// User attributes on SQLite: the statements of AttributeIngest in one transaction under the writer's lock.
public sealed partial class SqliteFeedbackStore
{
    public AttributeIngestResult IngestAttributes(AttributeBatch batch)
    {
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            long device = DeviceKey(transaction, batch.DeviceId);
            var result = AttributeIngest.Run(batch, device,
                (sql, parameters) => Execute(_writer, transaction, sql, parameters),
                (sql, read, parameters) => Query(_writer, transaction, sql, read, parameters),
                (sql, read, parameters) => Query(_writer, transaction, sql, read, parameters));
            transaction.Commit();
            return result;
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
