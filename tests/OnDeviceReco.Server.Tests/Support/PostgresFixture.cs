using Npgsql;
using OnDeviceReco.TestSupport;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL server for every PostgreSQL test in the run (initdb + pg_ctl on a free loopback port,
/// removed at the end). PostgreSQL must be installed; CI installs it. A missing server fails the tests, never skips them.
/// </summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly TemporaryPostgres _server = TemporaryPostgres.Start();

    /// <summary>A fresh, empty database's connection string.</summary>
    public string NewDatabase() => _server.CreateDatabase("t_" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// A fresh, empty database whose default collation is a language's (ICU en-US: a, B, b, é, Z), not byte order, as an
    /// operator's database may well be: the store contract runs on one, so it proves both stores order text alike.
    /// </summary>
    public string NewLinguisticDatabase()
    {
        string name = "t_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'", connection);
            command.ExecuteNonQuery();
        }
        return _server.ConnectionString.Replace("Database=postgres", $"Database={name}", StringComparison.Ordinal);
    }

    /// <summary>pg_dump of the database <paramref name="connectionString"/> names: everything it holds, as text.</summary>
    public string Dump(string connectionString) => _server.Dump(new NpgsqlConnectionStringBuilder(connectionString).Database!);

    public void Dispose() => _server.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
