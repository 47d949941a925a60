using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using OnDeviceReco.Storage;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// What one Track costs the calling thread (a game's frame), with the background writer running, against
/// the floor of enqueueing the same entry on a ConcurrentQueue. The queue is drained between iterations.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(65_536)]
[TailLatencyColumns]
public class TrackCallerCost
{
    private readonly ConcurrentQueue<QueuedWrite> _floor = new();
    private string[] _items = [];
    private string _path = "";
    private BehaviorStore? _store;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _items = BenchmarkData.Items(4_096);
        _path = BenchmarkData.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _store = new BehaviorStore(new StoreOptions { DatabasePath = _path });
    }

    [IterationCleanup]
    public void Drain()
    {
        _store!.Flush();
        // Dequeue rather than Clear: Clear drops the segments, and refilling fresh memory would be measured.
        while (_floor.TryDequeue(out _))
        {
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        BenchmarkData.DeleteDatabase(_path);
    }

    [Benchmark(Baseline = true, Description = "ConcurrentQueue.Enqueue of the queued entry")]
    public void EnqueueFloor()
    {
        _floor.Enqueue(new QueuedWrite(1_700_000_000_000, "player-000001", _items[_next++ & 4095], (int)EventType.Click, 1.0, null, SyncState.Pending, null));
    }

    [Benchmark(Description = "Track (validate + enqueue)")]
    public TrackOutcome Track() => _store!.Track("player-000001", _items[_next++ & 4095], EventType.Click, 1.0);
}
