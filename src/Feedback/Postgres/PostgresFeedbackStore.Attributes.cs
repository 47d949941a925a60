using Npgsql;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback.Postgres;

// User attributes on PostgreSQL: the statements of AttributeIngest in one transaction. The lock on each user's floor
// row orders two nodes applying batches for one user at once, so the cap holds across nodes too.
public sealed partial class PostgresFeedbackStore
{
    public AttributeIngestResult IngestAttributes(AttributeBatch batch)
    {
        long device = DeviceKey(batch.DeviceId);
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var result = AttributeIngest.Run(batch, device,
            (sql, parameters) => Execute(connection, transaction, sql, parameters),
            (sql, read, parameters) => Query(connection, transaction, sql, read, parameters),
            (sql, read, parameters) => Query(connection, transaction, sql, read, parameters));
        transaction.Commit();
        return result;
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
