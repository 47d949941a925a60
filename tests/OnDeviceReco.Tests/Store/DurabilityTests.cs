using System.Diagnostics;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class DurabilityTests
{
    [Fact]
    public async Task Events_flushed_before_sigkill_are_all_there_after_reopen()
    {
        using var dir = new TempDirectory();
        const int flushed = 5_000;
        string host = Path.Combine(AppContext.BaseDirectory, "OnDeviceReco.CrashHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", host, dir.Database, flushed.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start)!;
        try
        {
            string? line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("flushed", line);
            await Task.Delay(300); // let it commit some later batches and be mid-way through others
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix: no finalizers, no Dispose, no flush
            child.WaitForExit();
        }
        Assert.NotEqual(0, child.ExitCode);

        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        Assert.Equal(StoreOpenState.Opened, store.Health.OpenState);
        var events = store.GetEvents(0, 100_000);
        var flushedIds = events.Where(e => e.ItemId.StartsWith("flushed-", StringComparison.Ordinal)).Select(e => e.ItemId).ToList();
        Assert.Equal(Enumerable.Range(0, flushed).Select(i => $"flushed-{i}"), flushedIds);

        // What was committed after the flush is a gap-free prefix: batches land whole and in order.
        var after = events.Where(e => e.ItemId.StartsWith("after-", StringComparison.Ordinal)).Select(e => e.ItemId).ToList();
        Assert.Equal(Enumerable.Range(0, after.Count).Select(i => $"after-{i}"), after);
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Sequence < pair.Second.Sequence));
    }

    [Fact]
    public void Dispose_writes_everything_tracked()
    {
        using var dir = new TempDirectory();
        var options = new StoreOptions { DatabasePath = dir.Database, FlushInterval = TimeSpan.FromMinutes(10), BatchSize = 100_000 };
        using (var store = new BehaviorStore(options))
        {
            for (int i = 0; i < 1234; i++)
            {
                store.Track("u", $"i{i}", EventType.View);
            }
        }
        Assert.Equal(1234, RawDatabase.Scalar(dir.Database, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task DisposeAsync_writes_everything_tracked()
    {
        using var dir = new TempDirectory();
        var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, FlushInterval = TimeSpan.FromMinutes(10) });
        store.Track("u", "a", EventType.Click);
        await store.DisposeAsync();
        Assert.Equal(1, RawDatabase.Scalar(dir.Database, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public void Writer_commits_on_its_interval_without_an_explicit_flush()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, FlushInterval = TimeSpan.FromMilliseconds(30) });
        store.Track("u", "a", EventType.Click);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.Statistics.Written == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
        Assert.Equal(1, store.Statistics.Written);
        Assert.Single(store.GetEvents());
    }

    [Fact]
    public void Track_refuses_instead_of_growing_memory_when_the_queue_is_full()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions
        {
            DatabasePath = dir.Database, MaxQueuedEvents = 10, BatchSize = 1000, FlushInterval = TimeSpan.FromMinutes(10),
        });
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(TrackOutcome.Accepted, store.Track("u", $"i{i}", EventType.View));
        }
        Assert.Equal(TrackOutcome.QueueFull, store.Track("u", "overflow", EventType.View));
        Assert.Equal(1, store.Statistics.DroppedQueueFull);
        Assert.Equal(10, store.Statistics.Pending);
        store.Flush();
        Assert.Equal(0, store.Statistics.Pending);
        Assert.Equal(TrackOutcome.Accepted, store.Track("u", "later", EventType.View));
    }
}
