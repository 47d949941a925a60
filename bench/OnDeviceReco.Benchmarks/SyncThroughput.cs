using BenchmarkDotNet.Attributes;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// End-to-end sync into the server store on loopback: a device store holding N unsynced events, one Sync call
/// (read pending rows, encode, LZ4, HTTP, decode, validate, store once, acknowledge, mark synced) — against the
/// raw floor of the server store ingesting the same events, already decoded, with no device, codec or HTTP.
/// </summary>
[EventsPerSecondColumn]
[InvocationCount(1)]
public class SyncThroughput
{
    private BenchServer _server = null!;
    private RecoClient? _device;
    private string _devicePath = "";
    private RawIngestFloor _raw = null!;

    [Params(50_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _server = BenchServer.Start();
        _raw = new RawIngestFloor(Events, 10_000);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(SyncToServer))]
    public void SetupDevice()
    {
        _devicePath = BenchmarkData.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(_devicePath)!);
        _device = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = _devicePath },
            InitialConsent = ConsentState.Granted,
            Sync = new SyncOptions { ServerUri = _server.Address, ApiKey = BenchServer.ApiKey, DownloadModels = false },
        });
        var users = BenchmarkData.Users(20);
        var items = BenchmarkData.Items(5_000);
        for (int i = 0; i < Events; i++)
        {
            _device.Track(users[i % users.Length], items[(i * 31) % items.Length], EventType.Play, i % 5);
        }
        _device.Flush();
    }

    [IterationCleanup(Target = nameof(SyncToServer))]
    public void CleanupDevice()
    {
        _device?.Dispose();
        _device = null;
        BenchmarkData.DeleteDatabase(_devicePath);
    }

    [Benchmark]
    public int SyncToServer()
    {
        var result = _device!.Sync();
        return result.Status == SyncStatus.Completed && result.EventsSent == Events
            ? result.EventsSent
            : throw new InvalidOperationException($"Sync ended {result.Status}: {result.Error}");
    }

    [IterationSetup(Target = nameof(RawStoreIngest))]
    public void SetupRaw() => _raw.Setup();

    [IterationCleanup(Target = nameof(RawStoreIngest))]
    public void CleanupRaw() => _raw.Cleanup();

    [Benchmark(Baseline = true)]
    public int RawStoreIngest() => _raw.Run();
}
