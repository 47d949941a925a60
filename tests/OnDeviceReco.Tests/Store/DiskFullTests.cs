using System.Diagnostics;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

/// <summary>
/// A failing disk never hangs the host. The database runs out of space for real: reopened with
/// <see cref="StoreOptions.MaxDatabaseBytes"/> at its present size, every commit fails with SQLITE_FULL, as on a full
/// disk. Track reports QueueFull once the bounded queue is full, Flush fails within a bounded time, Close returns
/// within a bounded time, nothing flushed before is lost, and once space is back everything queued is written.
/// </summary>
public sealed class DiskFullTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static StoreOptions Options(TempDirectory dir, long? maxBytes = null) => new()
    {
        DatabasePath = dir.Database,
        MaxDatabaseBytes = maxBytes,
        BatchSize = 64,
        MaxQueuedEvents = 3_000,
        FlushInterval = TimeSpan.FromMilliseconds(20),
        CloseTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>
    /// The options bounding the database at its present size. The store is closed, so the file holds every page: the
    /// next commit that needs one more is refused.
    /// </summary>
    private static StoreOptions Full(TempDirectory dir) => Options(dir, new FileInfo(dir.Database).Length);

    /// <summary>Tracks and flushes "before-0"… in a store of its own, then closes it.</summary>
    private static void WriteDurable(TempDirectory dir, int count, ConsentState consent = ConsentState.Unknown)
    {
        using var store = new BehaviorStore(Options(dir));
        if (consent != ConsentState.Unknown)
        {
            store.SetConsent(consent);
        }
        for (int i = 0; i < count; i++)
        {
            store.Track("user", $"before-{i}", EventType.Play);
        }
        store.Flush();
    }

    [Fact]
    public async Task A_full_disk_fills_the_queue_fails_flush_quickly_and_loses_nothing_once_space_is_back()
    {
        using var dir = new TempDirectory();
        const int durable = 500;
        WriteDurable(dir, durable, ConsentState.Granted);

        using var store = new BehaviorStore(Full(dir));
        int accepted = Fill(item => store.Track("user", item, EventType.Play), out bool sawQueueFull);

        Assert.True(sawQueueFull, "Track never reported QueueFull while the disk was full");
        var clock = Stopwatch.StartNew();
        var failure = Assert.Throws<BehaviorStoreException>(store.Flush);
        Assert.True(clock.Elapsed < Bound, $"Flush took {clock.Elapsed}");
        Assert.True(failure.Kind == StoreErrorKind.DiskFull, failure.Message);
        Assert.NotNull(store.Health.LastWriteError);
        Assert.True(store.Statistics.DroppedQueueFull > 0);
        // Reading still works while writing does not.
        Assert.Equal(durable, store.GetEvents(0, 100_000).Count);

        store.SetMaxDatabaseBytes(null); // space is back
        await store.FlushAsync().WaitAsync(Bound);

        var events = store.GetEvents(0, 100_000);
        Assert.Equal(durable + accepted, events.Count);
        Assert.Equal(durable + accepted, events.Select(e => e.ItemId).Distinct().Count());
        Assert.Null(store.Health.LastWriteError);
    }

    [Fact]
    public async Task Close_on_a_full_disk_returns_within_a_bounded_time_and_keeps_what_was_flushed()
    {
        using var dir = new TempDirectory();
        const int durable = 300;
        WriteDurable(dir, durable);
        var store = new BehaviorStore(Full(dir));
        Fill(item => store.Track("user", item, EventType.Play), out _);

        var clock = Stopwatch.StartNew();
        await Task.Run(store.Dispose).WaitAsync(TimeSpan.FromSeconds(30)); // a close waiting for the disk would never return
        Assert.True(clock.Elapsed < Bound, $"Dispose took {clock.Elapsed}");
        store.Dispose(); // twice is safe

        using var reopened = new BehaviorStore(Options(dir));
        var kept = reopened.GetEvents(0, 100_000).Select(e => e.ItemId).ToList();
        Assert.Equal(Enumerable.Range(0, durable).Select(i => $"before-{i}"), kept.Take(durable));
    }

    [Fact]
    public void Recommendations_keep_coming_from_committed_history_while_the_disk_is_full()
    {
        using var dir = new TempDirectory();
        using (var before = new RecoClient(new RecoClientOptions { Store = Options(dir) }))
        {
            before.Track("me", "app-1", EventType.Play);
            before.Flush();
        }
        using var client = new RecoClient(new RecoClientOptions { Store = Full(dir), PopularItems = ["app-1", "app-2", "app-3"] });
        Fill(item => client.Track("user", item, EventType.Play), out _);
        client.Track("me", "app-2", EventType.Play); // queued; the disk refuses it for now

        var clock = Stopwatch.StartNew();
        var recs = client.Recommend("me", 2);
        Assert.True(clock.Elapsed < Bound, $"Recommend took {clock.Elapsed}");
        Assert.Equal(["app-2", "app-3"], recs.Select(r => r.ItemId)); // app-1 is committed history, so it is excluded
    }

    [Fact]
    public void A_bound_set_while_running_stops_growth_and_lifting_it_lets_the_waiting_events_in()
    {
        using var dir = new TempDirectory();
        using var client = new RecoClient(new RecoClientOptions { Store = Options(dir) });
        client.Track("me", "app-1", EventType.Play);
        client.Flush();

        client.SetMaxDatabaseBytes(1); // below the present size: the file keeps its size, it is not shrunk
        int accepted = Fill(item => client.Track("user", item, EventType.Play), out bool sawQueueFull);
        Assert.True(sawQueueFull, "Track never reported QueueFull at the bound");
        Assert.Equal(StoreErrorKind.DiskFull, Assert.Throws<BehaviorStoreException>(client.Flush).Kind);
        Assert.Equal(1, client.Statistics.Written);

        client.SetMaxDatabaseBytes(null);
        client.Flush();
        Assert.Equal(1 + accepted, client.Statistics.Written);
        Assert.Null(client.Health.LastWriteError);
    }

    [Fact]
    public void A_bound_that_is_not_positive_is_refused()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentOutOfRangeException>(() => new BehaviorStore(Options(dir, 0)));
        using var client = new RecoClient(new RecoClientOptions { Store = Options(dir) });
        Assert.Throws<ArgumentOutOfRangeException>(() => client.SetMaxDatabaseBytes(-1));
    }

    /// <summary>Plays items with long ids until the queue refuses one (bounded); returns how many were accepted.</summary>
    private static int Fill(Func<string, TrackOutcome> play, out bool sawQueueFull)
    {
        string padding = new('p', 200);
        int accepted = 0;
        sawQueueFull = false;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 100_000 && clock.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            var outcome = play($"during-{i}-{padding}");
            if (outcome == TrackOutcome.QueueFull)
            {
                sawQueueFull = true;
                break;
            }
            accepted++;
            if (i % 256 == 0)
            {
                Thread.Sleep(5); // let the writer try (and fail) to commit
            }
        }
        return accepted;
    }
}
