using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Eight_tracking_threads_and_concurrent_readers_lose_and_duplicate_nothing()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, BatchSize = 512, FlushInterval = TimeSpan.FromMilliseconds(5) });
        const int threads = 8, perThread = 3_000;
        using var done = new CancellationTokenSource();
        long reads = 0, refused = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                store.GetRecentSequence($"user-{r}", 50);
                store.GetProfile($"user-{r + 2}");
                store.GetPopularItems(TimeSpan.FromDays(1), 10);
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        var writers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < perThread; i++)
            {
                if (store.Track($"user-{t}", $"item-{t}-{i}", EventType.Play, i) != TrackOutcome.Accepted)
                {
                    Interlocked.Increment(ref refused);
                }
                if (i % 1000 == 0)
                {
                    store.Flush();
                }
            }
        })).ToArray();
        SpinWait.SpinUntil(() => Interlocked.Read(ref reads) >= 2, TimeSpan.FromSeconds(30)); // readers are running
        foreach (var writer in writers)
        {
            writer.Start();
        }
        foreach (var writer in writers)
        {
            writer.Join();
        }
        store.Flush();
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.Equal(0, refused);
        Assert.Equal(threads * perThread, store.Statistics.Written);
        Assert.Equal(threads * perThread, store.Statistics.StoredEvents);
        var events = store.GetEvents(0, 100_000);
        Assert.Equal(threads * perThread, events.Count);
        Assert.Equal(threads * perThread, events.Select(e => e.ItemId).Distinct().Count());
        for (int t = 0; t < threads; t++)
        {
            // Each thread's own events keep their order.
            var mine = events.Where(e => e.UserId == $"user-{t}").Select(e => (int)e.Value).ToList();
            Assert.Equal(Enumerable.Range(0, perThread), mine);
            Assert.Equal(perThread, store.GetProfile($"user-{t}").CountsByType[EventType.Play]);
        }
    }
}
