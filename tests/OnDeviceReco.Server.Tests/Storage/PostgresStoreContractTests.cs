using Npgsql;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Postgres;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Stores;

/// <summary>
/// The same store contract on PostgreSQL: a throwaway server for the run, a fresh database per test, created with a
/// language's collation so that every order the contract checks is the store's own, not the database's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContractTests(PostgresFixture postgres) : FeedbackStoreContract
{
    private string? _lastDatabase;

    protected override IFeedbackStore NewStore() => new PostgresFeedbackStore(_lastDatabase = postgres.NewLinguisticDatabase());

    protected override IFeedbackStore ReopenStore(ErasureMarkers markers, IdPseudonyms pseudonyms) => new PostgresFeedbackStore(_lastDatabase!, markers, pseudonyms);

    protected override byte[] RawContent() => System.Text.Encoding.UTF8.GetBytes(postgres.Dump(_lastDatabase!));

    protected override long AttributeRows()
    {
        using var connection = new NpgsqlConnection(_lastDatabase);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM user_attributes", connection);
        return (long)command.ExecuteScalar()!;
    }
}
