using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>Scenario 6: without Granted consent nothing reaches the server, and local-only events never leave the device.</summary>
public sealed class ConsentTests
{
    [Theory]
    [InlineData(ConsentState.Unknown)]
    [InlineData(ConsentState.LocalOnly)]
    [InlineData(ConsentState.Revoked)]
    public async Task Without_granted_consent_no_request_reaches_the_server(ConsentState consent)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var device = Device.Create(dir, proxy.Address, consent: consent);
        var tracked = device.Track(50);
        Assert.Equal(consent == ConsentState.Revoked ? 0 : 50, tracked.Count);

        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.NoConsent, result.Status);
        Assert.Equal(0, result.EventsSent);
        Assert.Equal(0, result.Attempts);
        Assert.Empty(proxy.Log); // not even a registration
        var stats = await server.StatsAsync();
        Assert.Equal(0, stats.Events);
        Assert.Equal(0, stats.Devices);
    }

    [Fact]
    public async Task Events_tracked_while_local_only_never_sync_even_after_consent_is_granted()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var device = Device.Create(dir, server.Address, consent: ConsentState.LocalOnly);
        device.Track(30, "local");
        Assert.Equal(0, device.Unsynced);
        Assert.Equal(SyncStatus.NoConsent, (await device.Client.SyncAsync()).Status);

        device.Client.SetConsent(ConsentState.Granted);
        var local = device.StoredEvents();
        device.Track(20, "granted");
        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(20, result.EventsSent);
        var all = device.StoredEvents();
        Assert.Equal(50, all.Count);
        var expected = all.Except(local).ToList();
        Assert.All(expected, e => Assert.Contains("-granted-", e.ItemId, StringComparison.Ordinal));
        await Ledger.AssertExactlyOnceAsync(server, expected);

        // And they stay home on every later sync.
        Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
        await Ledger.AssertExactlyOnceAsync(server, expected);
    }

    [Fact]
    public async Task Unsynced_events_are_kept_home_when_consent_moves_to_local_only_before_the_sync()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var device = Device.Create(dir, server.Address);
        device.Track(40, "synced");
        Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
        var synced = device.StoredEvents();
        device.Track(40, "pending");
        Assert.Equal(40, device.Unsynced);

        device.Client.SetConsent(ConsentState.LocalOnly);
        Assert.Equal(0, device.Unsynced);
        Assert.Equal(SyncStatus.NoConsent, (await device.Client.SyncAsync()).Status);
        device.Client.SetConsent(ConsentState.Granted);
        device.Track(10, "regranted");
        var result = await device.Client.SyncAsync();

        Assert.Equal(10, result.EventsSent);
        var regranted = device.StoredEvents().Where(e => e.ItemId.Contains("-regranted-", StringComparison.Ordinal));
        await Ledger.AssertExactlyOnceAsync(server, synced.Concat(regranted));
    }

    [Fact]
    public async Task Revoking_consent_mid_sync_lets_only_the_batch_already_in_flight_through()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var device = Device.Create(dir, proxy.Address, s => s with { RequestTimeout = TimeSpan.FromSeconds(30) });
        device.Track(500);
        proxy.Enqueue(Fault.Pass, Fault.HoldAfterForward);

        var sync = device.Client.SyncAsync();
        await proxy.WaitForHoldAsync(TimeSpan.FromSeconds(30));
        device.Client.SetConsent(ConsentState.Revoked);
        Assert.Equal(0, device.Unsynced);
        proxy.ReleaseHolds();
        var result = await sync.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, proxy.EventRequests.Count);
        Assert.Equal(100, result.EventsSent);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents().Take(100));
    }

    [Fact]
    public async Task After_consent_is_revoked_mid_sync_nothing_more_is_sent_even_once_consent_is_granted_again()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var device = Device.Create(dir, proxy.Address, s => s with { RequestTimeout = TimeSpan.FromSeconds(30) });
        device.Track(500);
        proxy.Enqueue(Fault.Pass, Fault.HoldAfterForward);

        var sync = device.Client.SyncAsync();
        await proxy.WaitForHoldAsync(TimeSpan.FromSeconds(30));
        device.Client.SetConsent(ConsentState.Revoked);
        proxy.ReleaseHolds();
        await sync.WaitAsync(TimeSpan.FromSeconds(30));
        int requestsDuringRevokedSync = proxy.EventRequests.Count;
        var onServer = server.StoredEvents();
        Assert.Equal(0, device.Unsynced);

        Assert.Equal(SyncStatus.NoConsent, (await device.Client.SyncAsync()).Status);
        device.Client.SetConsent(ConsentState.Granted);
        var later = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, later.Status);
        Assert.Equal(0, later.EventsSent);
        Assert.Equal(requestsDuringRevokedSync, proxy.EventRequests.Count);
        // Whatever got through before the revocation took effect is a prefix of the device's events, stored once.
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents().Take(onServer.Count));
        Assert.InRange(onServer.Count, 100, 150);
    }
}
