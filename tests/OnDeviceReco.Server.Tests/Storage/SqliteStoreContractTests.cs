using Microsoft.Data.Sqlite;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Sqlite;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Stores;

/// <summary>The store contract on SQLite (one file per test).</summary>
public sealed class SqliteStoreContractTests : FeedbackStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    private string? _lastPath;

    protected override IFeedbackStore NewStore() => new SqliteFeedbackStore(_lastPath = _dir.File($"{Guid.NewGuid():N}/feedback.db"));

    protected override IFeedbackStore ReopenStore(ErasureMarkers markers, IdPseudonyms pseudonyms) => new SqliteFeedbackStore(_lastPath!, markers, pseudonyms);

    protected override byte[] RawContent() =>
        [.. Directory.EnumerateFiles(Path.GetDirectoryName(_lastPath)!, "feedback.db*").SelectMany(PseudonymousServerTests.ReadShared)];

    protected override long AttributeRows()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _lastPath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM user_attributes";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _dir.Dispose();
}
