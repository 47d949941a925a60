using Npgsql;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// The right to retrain, as a PostgreSQL session advisory lock held on a dedicated connection: at most one node
/// holds it; when the holder dies its connection closes and PostgreSQL releases the lock, so another node takes
/// over at its next check. <see cref="IsHeld"/> asks the connection, so a holder whose connection dropped
/// mid-training learns it lost the lease before it publishes.
/// </summary>
internal sealed class PostgresTrainingLease : ITrainingLease
{
    private const long LockKey = 0x6F64_725F_7472_6E; // "odr_trn"
    private readonly NpgsqlConnection _connection;

    private PostgresTrainingLease(NpgsqlConnection connection) => _connection = connection;

    public static PostgresTrainingLease? TryAcquire(NpgsqlDataSource dataSource)
    {
        var connection = dataSource.OpenConnection();
        try
        {
            using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection);
            if (command.ExecuteScalar() is true)
            {
                return new PostgresTrainingLease(connection);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        connection.Dispose();
        return null;
    }

    public bool IsHeld
    {
        get
        {
            try
            {
                using var command = new NpgsqlCommand($"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objid = {LockKey & 0xFFFF_FFFF} AND granted", _connection);
                return command.ExecuteScalar() is long held && held > 0;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", _connection);
            command.ExecuteScalar();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone, and the lock with it.
        }
        // Not returned to the pool: a pooled connection would keep a session lock alive if the unlock had failed.
        NpgsqlConnection.ClearPool(_connection);
        _connection.Dispose();
    }
}
