using System.Net;
using System.Net.Http.Json;
using OnDeviceReco.Server.Devices;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>Scenario 7: DELETE /v1/devices/{id} erases the device's server data and its id, and only the device itself may ask.</summary>
public sealed class ErasureTests
{
    [Fact]
    public async Task A_device_erases_its_own_server_data_and_another_device_cannot()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var a = Device.Create(dir, server.Address);
        using var b = Device.Create(dir, server.Address);
        a.Track(120);
        b.Track(80);
        Assert.Equal(SyncStatus.Completed, (await a.Client.SyncAsync()).Status);
        Assert.Equal(SyncStatus.Completed, (await b.Client.SyncAsync()).Status);
        // Each device registers again with its own secret (read from its store, as only the device itself could).
        string tokenA = await server.RegisterAsync(a.DeviceId, a.Secret);
        string tokenB = await server.RegisterAsync(b.DeviceId, b.Secret);

        using (var byOther = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{a.DeviceId}", b.DeviceId, tokenB)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byOther.StatusCode);
            Assert.Equal("application/problem+json", byOther.Content.Headers.ContentType?.MediaType);
        }
        using (var forged = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{a.DeviceId}", a.DeviceId, tokenB)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }
        using (var noKey = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{a.DeviceId}", a.DeviceId, tokenA, apiKey: null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        }
        await Ledger.AssertExactlyOnceAsync(server, a.StoredEvents().Concat(b.StoredEvents()));

        using (var own = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{a.DeviceId}", a.DeviceId, tokenA)))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            var erasure = await own.Content.ReadFromJsonAsync<DeviceErasure>();
            Assert.Equal(new DeviceErasure(a.DeviceId, 120), erasure);
        }
        await Ledger.AssertExactlyOnceAsync(server, b.StoredEvents());
        var stats = await server.StatsAsync();
        Assert.Equal(1, stats.Devices); // a's row went with its id; a keyed marker keeps anyone from taking the id over
        Assert.Equal(0, server.Scalar($"SELECT count(*) FROM devices WHERE device_id = '{server.StoredDevice(a.DeviceId)}'"));
        Assert.Equal(1, server.Scalar("SELECT count(*) FROM erased_devices"));

        using (var again = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{a.DeviceId}", a.DeviceId, tokenA)))
        {
            Assert.Equal(new DeviceErasure(a.DeviceId, 0), await again.Content.ReadFromJsonAsync<DeviceErasure>());
        }

        // The erased id takes nothing more: events tracked under it are refused (410), and the device goes on under a
        // new identity, keeping the refused ones to itself; what it had synced before is not sent again.
        string erasedId = a.DeviceId;
        a.Track(10, "after");
        var refused = await a.Client.SyncAsync();
        Assert.Equal((SyncStatus.Refused, 410, 0), (refused.Status, refused.HttpStatus, refused.EventsSent));
        Assert.NotEqual(erasedId, a.DeviceId);
        a.Track(7, "renewed");
        var result = await a.Client.SyncAsync();
        Assert.Equal((SyncStatus.Completed, 7), (result.Status, result.EventsSent));
        var renewed = a.StoredEvents().Where(e => e.ItemId.Contains("-renewed-", StringComparison.Ordinal));
        await Ledger.AssertExactlyOnceAsync(server, b.StoredEvents().Concat(renewed));
    }
}
