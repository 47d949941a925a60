using OnDeviceReco.Server.Storage;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Stores;

/// <summary>The store contract on SQLite (one file per test).</summary>
public sealed class SqliteStoreContractTests : FeedbackStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override IFeedbackStore NewStore() => new SqliteFeedbackStore(_dir.File($"{Guid.NewGuid():N}/feedback.db"));

    public void Dispose() => _dir.Dispose();
}
