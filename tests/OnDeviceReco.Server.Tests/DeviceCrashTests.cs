using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Scenario 3: the device process is SIGKILLed while a sync request is in flight. The events it tracked are on its
/// disk; reopening the same store and syncing delivers every one exactly once, whether or not the server had
/// already stored the batch in flight.
/// </summary>
public sealed class DeviceCrashTests
{
    private static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killed_after_the_server_stored_the_batch_in_flight_resends_it_once()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        string database = dir.File("device/store.db");
        // Three batches acknowledged, the fourth stored by the server but its answer held until the kill.
        proxy.Enqueue(Fault.Pass, Fault.Pass, Fault.Pass, Fault.HoldAfterForward);

        using (var child = await SyncCrashHost.StartAsync(database, proxy.Address, events: 500, maxBatchEvents: 50))
        {
            var held = await proxy.WaitForHoldAsync(HoldTimeout);
            Assert.Equal(200, held.UpstreamStatus);
            Assert.Equal(child.DeviceId, held.DeviceId);
            Assert.Equal(200, (await server.StatsAsync()).Events);
            child.Kill();
            Assert.NotEqual(0, child.ExitCode);
        }

        using var device = Device.Open(database, proxy.Address);
        Assert.Equal(500, device.StoredEvents().Count);
        // Acknowledged batches are marked synced durably, the held one is not. Marking overlaps the next request, so the
        // third batch's mark may not have committed before the kill: then it is resent too (and replayed, not stored twice).
        long unsynced = device.Unsynced;
        Assert.True(unsynced is 350 or 400, $"{unsynced} events unsynced after the kill");
        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(unsynced, result.EventsSent);
        var expected = device.StoredEvents();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"crash-{i}"), expected.Select(e => e.ItemId));
        await Ledger.AssertExactlyOnceAsync(server, expected);
        var stats = await server.StatsAsync();
        Assert.Equal(1 + (unsynced - 350) / 50, stats.ReplayedBatches); // the batch in flight at the kill, recognised by its id
        Assert.Equal(10, stats.Batches);
    }

    [Fact]
    public async Task Killed_before_the_server_got_the_batch_sends_everything_once()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        string database = dir.File("device/store.db");
        proxy.Enqueue(Fault.HoldBeforeForward);

        using (var child = await SyncCrashHost.StartAsync(database, proxy.Address, events: 300, maxBatchEvents: 50))
        {
            var held = await proxy.WaitForHoldAsync(HoldTimeout);
            Assert.Equal(0, held.Forwarded);
            child.Kill();
        }
        var before = await server.StatsAsync();
        Assert.Equal(0, before.Events);
        Assert.Equal(0, before.Batches);

        using var device = Device.Open(database, proxy.Address);
        Assert.Equal(300, device.Unsynced);
        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(300, result.EventsSent);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
        Assert.Equal(0, (await server.StatsAsync()).ReplayedBatches);
        // The held request never reached the server, even after the client vanished.
        Assert.Equal(0, proxy.EventRequests[0].Forwarded);
    }

    [Fact]
    public async Task Killed_while_the_only_batch_is_in_flight_then_reopened_with_a_different_batch_size_stores_once()
    {
        // The reopened app has a smaller batch size: the resend has other batch ids, so the server must fall back to
        // (device, sequence) to recognise what it already has.
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        string database = dir.File("device/store.db");
        proxy.Enqueue(Fault.HoldAfterForward);

        using (var child = await SyncCrashHost.StartAsync(database, proxy.Address, events: 120, maxBatchEvents: 500))
        {
            await proxy.WaitForHoldAsync(HoldTimeout);
            Assert.Equal(120, (await server.StatsAsync()).Events);
            child.Kill();
        }

        using var device = Device.Open(database, proxy.Address, s => s with { MaxBatchEvents = 50 });
        Assert.Equal(120, device.Unsynced);
        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(120, result.EventsSent);
        Assert.Equal(120, result.EventsAlreadyOnServer);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
        var stats = await server.StatsAsync();
        Assert.Equal(120, stats.AlreadyStored);
        Assert.Equal(0, stats.ReplayedBatches);
    }
}
