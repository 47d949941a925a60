using System.Security.Cryptography;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Sqlite;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// The floor of server ingestion: already-decoded batches straight into a fresh server store (its prepared
/// INSERT, one transaction per batch), with no device, codec, HTTP or validation in the way.
/// </summary>
internal sealed class RawIngestFloor
{
    private readonly EventBatch[] _batches;
    private SqliteFeedbackStore? _store;
    private string _path = "";

    public RawIngestFloor(int events, int batchEvents) =>
        _batches = Enumerable.Range(0, events / batchEvents).Select(b => WireSamples.MovieLensBatch(batchEvents, $"raw-{b}")).ToArray();

    public void Setup()
    {
        _path = BenchmarkData.NewDatabasePath();
        _store = new SqliteFeedbackStore(_path);
    }

    public int Run()
    {
        int stored = 0;
        foreach (var batch in _batches)
        {
            stored += _store!.Ingest(batch, SHA256.HashData(batch.BatchId.ToByteArray())).Stored;
        }
        return stored;
    }

    public void Cleanup()
    {
        _store?.Dispose();
        _store = null;
        BenchmarkData.DeleteDatabase(_path);
    }
}
