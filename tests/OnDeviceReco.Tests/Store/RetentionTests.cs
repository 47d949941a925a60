using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class RetentionTests
{
    [Fact]
    public void Row_limit_evicts_the_oldest_and_counts_them()
    {
        using var dir = new TempDirectory();
        var options = new StoreOptions { DatabasePath = dir.Database, MaxRows = 1_000, BatchSize = 300 };
        using (var store = new BehaviorStore(options))
        {
            for (int i = 0; i < 5_000; i++)
            {
                store.Track("u", $"i{i}", EventType.View);
            }
            store.Flush();
            Assert.Equal(1_000, store.Statistics.StoredEvents);
            Assert.Equal(4_000, store.Statistics.Evicted);
            var kept = store.GetEvents(0, 10_000).Select(e => e.ItemId);
            Assert.Equal(Enumerable.Range(4_000, 1_000).Select(i => $"i{i}"), kept);
        }
        using var reopened = new BehaviorStore(options);
        Assert.Equal(4_000, reopened.Statistics.Evicted);
        Assert.Equal(1_000, reopened.Statistics.StoredEvents);
    }

    [Fact]
    public void Age_limit_evicts_old_events_on_write_and_at_open()
    {
        using var dir = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new StoreOptions { DatabasePath = dir.Database, MaxAge = TimeSpan.FromDays(7), TimeProvider = clock };
        using (var store = new BehaviorStore(options))
        {
            store.Track("u", "old", EventType.View);
            store.Flush();
            clock.Advance(TimeSpan.FromDays(5));
            store.Track("u", "middle", EventType.View);
            store.Flush();
            clock.Advance(TimeSpan.FromDays(3));
            store.Track("u", "new", EventType.View);
            store.Flush();
            Assert.Equal(["middle", "new"], store.GetEvents().Select(e => e.ItemId));
            Assert.Equal(1, store.Statistics.Evicted);
        }
        clock.Advance(TimeSpan.FromDays(6));
        using var reopened = new BehaviorStore(options);
        Assert.Equal(["new"], reopened.GetEvents().Select(e => e.ItemId));
        Assert.Equal(2, reopened.Statistics.Evicted);
    }

    [Fact]
    public void Database_files_stop_growing_under_an_endless_stream()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, MaxRows = 2_000, BatchSize = 500 });
        long FootprintBytes() => Directory.GetFiles(dir.Path).Sum(f => new FileInfo(f).Length);
        var sizes = new List<long>();
        for (int round = 0; round < 12; round++)
        {
            for (int i = 0; i < 5_000; i++)
            {
                store.Track($"user-{i % 13}", $"item-{round}-{i}-with-some-length", EventType.Play, i, context: new Dictionary<string, string> { ["screen"] = "home" });
            }
            store.Flush();
            sizes.Add(FootprintBytes());
        }
        Assert.Equal(2_000, store.Statistics.StoredEvents);
        Assert.Equal(12 * 5_000 - 2_000, store.Statistics.Evicted);
        // After the first rounds the store reuses its free pages: the last round is no bigger than round 4 plus slack.
        Assert.True(sizes[^1] <= sizes[3] * 1.25, $"footprint kept growing: {string.Join(", ", sizes)}");
    }
}
