using System.Diagnostics;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

/// <summary>
/// Issue 10 §4: a failing disk never hangs the host. The database runs out of space for real (SQLite's
/// max_page_count on the write connection fails commits with SQLITE_FULL, as a full disk does): Track reports
/// QueueFull once the bounded queue is full, Flush fails within a bounded time, Close returns within a bounded
/// time, nothing flushed before is lost, and once space is back everything queued is written.
/// </summary>
public sealed class DiskFullTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static StoreOptions Options(TempDirectory dir) => new()
    {
        DatabasePath = dir.Database,
        BatchSize = 64,
        MaxQueuedEvents = 3_000,
        FlushInterval = TimeSpan.FromMilliseconds(20),
        CloseTimeout = TimeSpan.FromSeconds(3),
    };

    [Fact]
    public async Task A_full_disk_fills_the_queue_fails_flush_quickly_and_loses_nothing_once_space_is_back()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(Options(dir));
        store.SetConsent(ConsentState.Granted);
        const int durable = 500;
        for (int i = 0; i < durable; i++)
        {
            store.Track("user", $"before-{i}", EventType.Play);
        }
        store.Flush();

        store.LimitPagesForTesting(store.PageCountForTesting);
        int accepted = Fill(store, out bool sawQueueFull);

        Assert.True(sawQueueFull, "Track never reported QueueFull while the disk was full");
        var clock = Stopwatch.StartNew();
        var failure = Assert.Throws<BehaviorStoreException>(store.Flush);
        Assert.True(clock.Elapsed < Bound, $"Flush took {clock.Elapsed}");
        Assert.True(failure.Kind == StoreErrorKind.DiskFull, failure.Message);
        Assert.NotNull(store.Health.LastWriteError);
        Assert.True(store.Statistics.DroppedQueueFull > 0);
        // Reading still works while writing does not.
        Assert.Equal(durable, store.GetEvents(0, 100_000).Count);

        store.LimitPagesForTesting(1_000_000_000); // space is back
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
        var store = new BehaviorStore(Options(dir));
        for (int i = 0; i < durable; i++)
        {
            store.Track("user", $"before-{i}", EventType.Play);
        }
        store.Flush();
        store.LimitPagesForTesting(store.PageCountForTesting);
        Fill(store, out _);

        var clock = Stopwatch.StartNew();
        await Task.Run(store.Dispose).WaitAsync(TimeSpan.FromSeconds(30)); // before the fix: waits forever
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
        using var client = new RecoClient(new RecoClientOptions { Store = Options(dir), PopularItems = ["app-1", "app-2", "app-3"] });
        client.Track("me", "app-1", EventType.Play);
        client.Flush();
        client.Store.LimitPagesForTesting(client.Store.PageCountForTesting);
        Fill(client.Store, out _);
        client.Track("me", "app-2", EventType.Play); // queued; the disk refuses it for now

        var clock = Stopwatch.StartNew();
        var recs = client.Recommend("me", 2);
        Assert.True(clock.Elapsed < Bound, $"Recommend took {clock.Elapsed}");
        Assert.Equal(["app-2", "app-3"], recs.Select(r => r.ItemId)); // app-1 is committed history, so it is excluded
    }

    /// <summary>Tracks events with long ids until the queue refuses one (bounded); returns how many were accepted.</summary>
    private static int Fill(BehaviorStore store, out bool sawQueueFull)
    {
        string padding = new('p', 200);
        int accepted = 0;
        sawQueueFull = false;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 100_000 && clock.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            var outcome = store.Track("user", $"during-{i}-{padding}", EventType.Play);
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
