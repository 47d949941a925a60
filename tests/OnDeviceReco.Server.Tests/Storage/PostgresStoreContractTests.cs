using OnDeviceReco.Server.Storage;
using OnDeviceReco.Server.Storage.Postgres;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Stores;

/// <summary>The same store contract on PostgreSQL: a throwaway server for the run, a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContractTests(PostgresFixture postgres) : FeedbackStoreContract
{
    protected override IFeedbackStore NewStore() => new PostgresFeedbackStore(postgres.NewDatabase());
}
