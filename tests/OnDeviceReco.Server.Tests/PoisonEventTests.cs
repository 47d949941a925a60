using Microsoft.Data.Sqlite;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Issue 10 §1: a device never stalls. Events the server refuses for good are set aside on the device (counted,
/// reported, logged once) and everything after them keeps syncing; a device whose clock is hours or days wrong
/// loses nothing.
/// </summary>
public sealed class PoisonEventTests
{
    [Fact]
    public async Task Events_an_older_SDK_let_through_are_set_aside_and_every_other_event_reaches_the_server()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        string path = dir.File("old-sdk/store.db");
        using (var first = Device.Open(path, server.Address))
        {
            first.Track(100, "before");
        }
        // What an older SDK (or a foreign writer) left in the file: rows that break today's contract, among good ones.
        // The last one is longer than the wire protocol carries, so the server cannot even decode its batch and
        // names no event: the device finds it by halving the batch.
        InsertRaw(path, ("   ", "blank-user", 3), ("user-1", "\u200B", 3), ("user-1", "type-eleven", 11), ("user\u007F", "del-user", 3),
            ("user-1", new string('x', 2_000), 3));
        using var device = Device.Open(path, server.Address);
        device.Track(300, "after");

        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(5, result.EventsSetAside);
        Assert.False(string.IsNullOrEmpty(result.SetAsideReason));
        Assert.Equal(400, result.EventsSent);
        Assert.Equal(0, device.Unsynced);
        Assert.Equal(5, device.Client.Statistics.RefusedBySync);
        var good = device.StoredEvents().Where(e => e.ItemId.Contains("-before-", StringComparison.Ordinal) || e.ItemId.Contains("-after-", StringComparison.Ordinal));
        await Ledger.AssertExactlyOnceAsync(server, good);

        // Nothing is sent again, and the count survives a restart.
        var again = await device.Client.SyncAsync();
        Assert.Equal((SyncStatus.Completed, 0, 0), (again.Status, again.EventsSent, again.EventsSetAside));
        device.Dispose();
        using var reopened = Device.Open(path, server.Address);
        Assert.Equal(5, reopened.Client.Statistics.RefusedBySync);
    }

    [Theory]
    [InlineData(3 * 24)]   // three days fast
    [InlineData(-5 * 24)]  // five days slow
    [InlineData(7)]        // a wrong time zone
    public async Task A_device_whose_clock_is_wrong_loses_nothing_and_its_times_are_corrected(int hoursOff)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        // Exact times: what is checked is the server's correction, not the time precision the device sends by default.
        using var device = Device.Create(dir, server.Address, sync => sync with { Fields = SyncedFields.All }, clock: new OffsetClock(TimeSpan.FromHours(hoursOff)));
        device.Track(300);

        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(300, result.EventsSent);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long earliest = server.Scalar("SELECT min(ts_ms) FROM events");
        long latest = server.Scalar("SELECT max(ts_ms) FROM events");
        Assert.InRange(earliest, now - 60_000, now);
        Assert.InRange(latest, now - 60_000, now);
    }

    [Fact]
    public async Task A_clock_set_back_after_tracking_still_loses_nothing()
    {
        // Tracked while the clock was 20 hours fast (allowed: under a day ahead), synced after it was corrected:
        // the events now look 20 hours in the future to everyone. The server clamps them instead of refusing.
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        string path = dir.File("clock/store.db");
        using (var fast = Device.Open(path, server.Address, clock: new OffsetClock(TimeSpan.FromHours(20))))
        {
            fast.Track(50);
        }
        using var corrected = Device.Open(path, server.Address);

        var result = await corrected.Client.SyncAsync();

        Assert.Equal((SyncStatus.Completed, 50, 0), (result.Status, result.EventsSent, result.EventsSetAside));
        await Ledger.AssertExactlyOnceAsync(server, corrected.StoredEvents());
    }

    private static void InsertRaw(string path, params (string User, string Item, int Type)[] rows)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        foreach (var (user, item, type) in rows)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO events(ts_ms, user_id, item_id, type, value, context, sync_state) VALUES($ts, $u, $i, $t, 0, NULL, 0)";
            command.Parameters.AddWithValue("$ts", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$u", user);
            command.Parameters.AddWithValue("$i", item);
            command.Parameters.AddWithValue("$t", type);
            command.ExecuteNonQuery();
        }
    }
}
