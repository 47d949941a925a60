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

    public void Dispose() => _server.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
