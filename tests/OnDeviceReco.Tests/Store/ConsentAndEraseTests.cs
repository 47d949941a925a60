using System.Text;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class ConsentAndEraseTests
{
    [Fact]
    public void Consent_starts_unknown_and_is_persisted()
    {
        using var dir = new TempDirectory();
        var options = new StoreOptions { DatabasePath = dir.Database };
        using (var store = new BehaviorStore(options))
        {
            Assert.Equal(ConsentState.Unknown, store.Consent);
            store.SetConsent(ConsentState.Granted);
        }
        using var reopened = new BehaviorStore(options);
        Assert.Equal(ConsentState.Granted, reopened.Consent);
    }

    [Fact]
    public void Revoked_consent_records_nothing()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.SetConsent(ConsentState.Revoked);
        Assert.Equal(TrackOutcome.ConsentRevoked, store.Track("u", "a", EventType.Purchase));
        store.Flush();
        Assert.Empty(store.GetEvents());
        Assert.Equal(1, store.Statistics.DroppedNoConsent);
        Assert.Equal(0, store.Statistics.Accepted);
    }

    [Fact]
    public void Local_only_marks_past_and_future_events_never_to_sync()
    {
        using var dir = new TempDirectory();
        using (var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database }))
        {
            store.Track("u", "before", EventType.View);
            store.SetConsent(ConsentState.LocalOnly);
            store.Track("u", "after", EventType.View);
            store.Flush();
        }
        Assert.Equal(0, RawDatabase.Scalar(dir.Database, "SELECT COUNT(*) FROM events WHERE sync_state = 0"));
        Assert.Equal(2, RawDatabase.Scalar(dir.Database, "SELECT COUNT(*) FROM events WHERE sync_state = 2"));
    }

    [Fact]
    public void Erase_leaves_no_trace_in_any_file_and_restarts_ids()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.SetConsent(ConsentState.Granted);
        string deviceBefore = store.DeviceId;
        string secretBefore = store.DeviceSecret;
        for (int i = 0; i < 2_000; i++)
        {
            store.Track("secret-user", $"secret-item-{i}", EventType.Purchase, 9.99);
        }
        store.UpsertItems([new ItemMetadata("secret-item-1", ["secret-genre"])]);
        store.Track("secret-user", "unflushed-secret", EventType.View); // tracked, not yet flushed: erased too

        store.EraseAllData();

        Assert.Empty(store.GetEvents());
        Assert.Null(store.GetItem("secret-item-1"));
        Assert.True(store.GetProfile("secret-user").IsEmpty);
        foreach (var file in Directory.GetFiles(dir.Path))
        {
            string bytes = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain("secret-", bytes, StringComparison.Ordinal);
            Assert.DoesNotContain(secretBefore, bytes, StringComparison.Ordinal);
        }
        Assert.NotEqual(deviceBefore, store.DeviceId);
        Assert.NotEqual(secretBefore, store.DeviceSecret);
        Assert.Equal(ConsentState.Granted, store.Consent);

        store.Track("new-user", "new-item", EventType.View);
        store.Flush();
        Assert.Equal(1, Assert.Single(store.GetEvents()).Sequence);
    }

    [Fact]
    public async Task Erase_while_other_threads_track_and_read_does_not_fail_them()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, FlushInterval = TimeSpan.FromMilliseconds(5) });
        using var stop = new CancellationTokenSource();
        var worker = Task.Run(() =>
        {
            int i = 0;
            while (!stop.IsCancellationRequested)
            {
                store.Track("u", $"i{i++}", EventType.View);
                store.GetRecentSequence("u", 10);
            }
        });
        for (int round = 0; round < 5; round++)
        {
            Thread.Sleep(20);
            store.EraseAllData();
        }
        stop.Cancel();
        await worker;
        store.Flush();
        Assert.Null(store.Health.LastWriteError);
    }
}
