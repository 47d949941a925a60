using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>Scenario 1: the server is unreachable; events wait on the device and are delivered once when it is back.</summary>
public sealed class ServerDownTests
{
    [Fact]
    public async Task Nothing_listening_is_unreachable_and_everything_arrives_once_when_the_server_starts_on_that_port()
    {
        using var dir = new TempDirectory();
        int port = Ports.Free();
        using var device = Device.Create(dir, new Uri($"http://127.0.0.1:{port}/"));
        device.Track(200);

        var down = await device.Client.SyncAsync();
        Assert.Equal(SyncStatus.Unreachable, down.Status);
        Assert.Equal(0, down.EventsSent);
        Assert.Equal(device.Sync.MaxAttempts, down.Attempts); // the registration request, retried to the limit
        Assert.Null(down.HttpStatus);
        Assert.NotNull(down.Error);
        Assert.Equal(200, device.Unsynced);

        await using var server = await ServerHost.StartAsync(port: port);
        var up = await device.Client.SyncAsync();
        Assert.Equal(SyncStatus.Completed, up.Status);
        Assert.Equal(200, up.EventsSent);
        Assert.Equal(4, up.Batches);
        Assert.Equal(0, device.Unsynced);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
    }

    [Fact]
    public async Task Connections_closed_on_every_request_leave_everything_unsynced_until_the_network_is_back()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        proxy.Targets = _ => true;
        proxy.Chooser = _ => Fault.Drop;
        using var device = Device.Create(dir, proxy.Address);
        device.Track(300);

        for (int round = 0; round < 2; round++)
        {
            var down = await device.Client.SyncAsync();
            Assert.Equal(SyncStatus.Unreachable, down.Status);
            Assert.Equal(0, down.EventsSent);
            Assert.Equal(300, device.Unsynced);
        }
        Assert.Equal(2 * device.Sync.MaxAttempts, proxy.Log.Count);
        Assert.All(proxy.Log, r => Assert.Equal(0, r.Forwarded));
        var stats = await server.StatsAsync();
        Assert.Equal(0, stats.Events);
        Assert.Equal(0, stats.Devices);

        proxy.Chooser = null;
        var up = await device.Client.SyncAsync();
        Assert.Equal(SyncStatus.Completed, up.Status);
        Assert.Equal(300, up.EventsSent);
        Assert.Equal(0, device.Unsynced);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
    }

    [Fact]
    public async Task Server_going_down_mid_sync_keeps_the_acknowledged_prefix_and_resumes_after_it()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var device = Device.Create(dir, proxy.Address);
        device.Track(500);
        proxy.Enqueue(Fault.Pass, Fault.Pass);
        proxy.Enqueue(Enumerable.Repeat(Fault.Drop, device.Sync.MaxAttempts).ToArray());

        var partial = await device.Client.SyncAsync();
        Assert.Equal(SyncStatus.Unreachable, partial.Status);
        Assert.Equal(100, partial.EventsSent);
        Assert.Equal(2, partial.Batches);
        Assert.Equal(400, device.Unsynced);
        Assert.Equal(100, (await server.StatsAsync()).Events);

        var rest = await device.Client.SyncAsync();
        Assert.Equal(SyncStatus.Completed, rest.Status);
        Assert.Equal(400, rest.EventsSent);
        Assert.Equal(0, device.Unsynced);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
        Assert.Equal(0, (await server.StatsAsync()).ReplayedBatches);
    }

    [Fact]
    public async Task Server_restarted_on_the_same_data_directory_accepts_the_rest_once_and_still_knows_the_device()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "server-data");
        int port = Ports.Free();
        var server = await ServerHost.StartAsync(port: port, dataDirectory: data);
        using var device = Device.Create(dir, server.Address);
        try
        {
            device.Track(250, "before");
            Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
            await server.DisposeAsync();

            device.Track(250, "during");
            var down = await device.Client.SyncAsync();
            Assert.Equal(SyncStatus.Unreachable, down.Status);
            Assert.Equal(250, device.Unsynced);

            server = await ServerHost.StartAsync(port: port, dataDirectory: data);
            var up = await device.Client.SyncAsync();
            Assert.Equal(SyncStatus.Completed, up.Status);
            Assert.Equal(250, up.EventsSent);
            // The token secret survived the restart: no new registration was needed (events and models only).
            Assert.Equal(5 + 1, up.Attempts);
            await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_server_that_lost_its_token_secret_makes_the_device_register_again_and_nothing_is_lost()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "server-data");
        int port = Ports.Free();
        var server = await ServerHost.StartAsync(port: port, dataDirectory: data);
        using var device = Device.Create(dir, server.Address);
        try
        {
            device.Track(100, "before");
            Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
            await server.DisposeAsync();
            File.Delete(Path.Combine(data, "device-token.secret")); // every issued token is now invalid

            server = await ServerHost.StartAsync(port: port, dataDirectory: data);
            device.Track(100, "after");
            var result = await device.Client.SyncAsync();

            Assert.Equal(SyncStatus.Completed, result.Status);
            Assert.Equal(100, result.EventsSent);
            Assert.Equal(1 + 1 + 2 + 1, result.Attempts); // refused batch (401), registration, two batches, latest model
            await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
