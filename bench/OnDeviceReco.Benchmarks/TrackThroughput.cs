using BenchmarkDotNet.Attributes;
using OnDeviceReco.Storage;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Sustained write throughput: track M events then Flush, against the raw floor of one prepared INSERT per
/// row in one transaction into the same schema with the same pragmas. Each iteration starts from an empty file.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class TrackThroughput
{
    private string[] _users = [];
    private string[] _items = [];
    private string _path = "";
    private BehaviorStore? _store;
    private SqliteDatabase? _raw;

    [Params(20_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _users = BenchmarkData.Users(50);
        _items = BenchmarkData.Items(5_000);
    }

    /// <summary>Events per transaction in the store (8,192 is the default); the raw baseline always uses one transaction.</summary>
    [Params(8_192, 2_048)]
    public int BatchSize { get; set; }

    private StoreOptions Options() => new() { DatabasePath = _path, BatchSize = BatchSize };

    [IterationSetup(Target = nameof(RawPreparedInsert))]
    public void SetupRaw()
    {
        _path = BenchmarkData.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        // Same schema and pragmas as the store: create it through the store, then write to it raw.
        new BehaviorStore(Options()).Dispose();
        _raw = StoreOpener.OpenConfigured(Options());
    }

    [IterationSetup(Target = nameof(TrackThenFlush))]
    public void SetupStore()
    {
        _path = BenchmarkData.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _store = new BehaviorStore(Options());
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _raw = null;
        _store?.Dispose();
        _store = null;
        BenchmarkData.DeleteDatabase(_path);
    }

    [Benchmark(Baseline = true, Description = "raw SQLite prepared INSERT, 1 transaction")]
    public void RawPreparedInsert()
    {
        var db = _raw!;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        db.Execute("BEGIN IMMEDIATE");
        using var insert = db.Prepare("INSERT INTO events(ts_ms, user_id, item_id, type, value, context, sync_state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        for (int i = 0; i < Events; i++)
        {
            insert.Bind(1, now).Bind(2, _users[i % _users.Length]).Bind(3, _items[i % _items.Length])
                .Bind(4, (long)EventType.Play).Bind(5, 1.0).Bind(6, (string?)null).Bind(7, 0L);
            insert.Run();
        }
        db.Execute("COMMIT");
    }

    [Benchmark(Description = "Track x M, then Flush")]
    public void TrackThenFlush()
    {
        var store = _store!;
        for (int i = 0; i < Events; i++)
        {
            store.Track(_users[i % _users.Length], _items[i % _items.Length], EventType.Play, 1.0);
        }
        store.Flush();
    }
}
