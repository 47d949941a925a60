using Microsoft.Data.Sqlite;
using Npgsql;

namespace OnDeviceReco.LoadTest;

/// <summary>
/// Counts from the database itself, never from the load generator's own bookkeeping: events stored, events stored
/// more than once for one (device, sequence), and events the devices sent that are not there.
/// </summary>
internal static class StoreAudit
{
    private const string Sql = """
        SELECT count(*),
               count(*) - (SELECT count(*) FROM (SELECT DISTINCT device, seq FROM events) AS d),
               (SELECT count(*) FROM devices)
        FROM events
        """;

    public static (long Stored, long Duplicates) Count(string store, string location, long expected, out long lost)
    {
        (long stored, long duplicates) = store == "sqlite" ? Sqlite(location) : Postgres(location);
        lost = Math.Max(0, expected - (stored - duplicates));
        return (stored, duplicates);
    }

    private static (long, long) Sqlite(string path)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static (long, long) Postgres(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        // A distinct count over millions of rows: room to hash them in memory instead of sorting on disk.
        using (var memory = new NpgsqlCommand("SET work_mem = '512MB'", connection))
        {
            memory.ExecuteNonQuery();
        }
        using var command = new NpgsqlCommand(Sql, connection) { CommandTimeout = 1800 };
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
