using System.Net;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Issue 10 §2: knowing a device's id is worthless. The app's API key ships inside every app and ids can leak
/// (logs, support tickets), so a stranger holding both must not be able to act as the device.
/// </summary>
public sealed class DeviceIdentityTests
{
    [Fact]
    public async Task A_stranger_with_the_app_key_and_a_victims_id_can_neither_get_a_token_nor_upload_nor_erase()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var victim = Device.Create(dir, server.Address);
        victim.Track(40);
        Assert.Equal(SyncStatus.Completed, (await victim.Client.SyncAsync()).Status);

        // Registering the victim's id with any other secret is refused, so no token is issued.
        using (var takeover = await server.SendRegistrationAsync(victim.DeviceId, ServerHost.NewSecret()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, takeover.StatusCode);
            Assert.Equal("application/problem+json", takeover.Content.Headers.ContentType?.MediaType);
        }
        // Without a token: no upload, no erasure. A token of the stranger's own device does not speak for the victim.
        string strangerDevice = Guid.NewGuid().ToString("N");
        string strangerToken = await server.RegisterAsync(strangerDevice, ServerHost.NewSecret());
        var forged = EventBatch.Create(victim.DeviceId,
            [new WireEvent(1_000_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "user-0", "injected", 3, 0, WireEvent.NoContext)]);
        foreach (string? token in (string?[])[null, "", strangerToken, "AAAA"])
        {
            using (var upload = await server.PostEventsAsync(WireCodec.Encode(forged), victim.DeviceId, token))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
            }
            using var erase = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{victim.DeviceId}", victim.DeviceId, token));
            Assert.Equal(HttpStatusCode.Unauthorized, erase.StatusCode);
        }
        using (var erase = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{victim.DeviceId}", strangerDevice, strangerToken)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, erase.StatusCode);
        }
        Assert.DoesNotContain(server.StoredEvents(), e => e.ItemId == "injected");
        await Ledger.AssertExactlyOnceAsync(server, victim.StoredEvents());

        // The victim itself is unaffected: its secret still works.
        victim.Track(5, "later");
        var again = await victim.Client.SyncAsync();
        Assert.Equal(SyncStatus.Completed, again.Status);
        Assert.Equal(5, again.EventsSent);
    }

    [Fact]
    public async Task A_new_id_binds_to_the_first_secret_and_a_second_registration_needs_the_same_one()
    {
        await using var server = await ServerHost.StartAsync();
        string deviceId = Guid.NewGuid().ToString("N");
        string secret = ServerHost.NewSecret();
        string first = await server.RegisterAsync(deviceId, secret);
        string second = await server.RegisterAsync(deviceId, secret); // renewal with the right secret
        Assert.False(string.IsNullOrEmpty(first));
        Assert.False(string.IsNullOrEmpty(second));
        using var wrong = await server.SendRegistrationAsync(deviceId, secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        // The server keeps a hash of the secret, never the secret itself.
        byte[] stored = ReadSecretColumn(server, deviceId);
        Assert.Equal(32, stored.Length);
        Assert.DoesNotContain(secret, System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(server.DataDirectory, "feedback.db"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_expire_and_the_device_renews_them_without_the_app_noticing()
    {
        var serverClock = new ManualClock(DateTimeOffset.UtcNow);
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync(o => o.DeviceTokenLifetime = TimeSpan.FromHours(1), clock: serverClock);
        using var device = Device.Create(dir, server.Address);
        device.Track(30);
        Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
        string oldToken = await server.RegisterAsync(device.DeviceId, device.Secret);

        // Two hours pass on the server: every token issued so far has expired, though the device's clock says
        // its saved token is still fresh. The server's 401 makes the device register again, transparently.
        serverClock.Advance(TimeSpan.FromHours(2));
        using (var stale = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/latest", device.DeviceId, oldToken)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }
        device.Track(20, "after-expiry");
        var result = await device.Client.SyncAsync();
        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(20, result.EventsSent);
        await Ledger.AssertExactlyOnceAsync(server, device.StoredEvents());
    }

    [Fact]
    public async Task Logs_never_hold_a_device_id_token_or_secret()
    {
        var logs = new LogCapture();
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync(logs: logs);
        using var device = Device.Create(dir, server.Address);
        device.Track(30);
        Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
        string token = await server.RegisterAsync(device.DeviceId, device.Secret);
        // Warnings too: a wrong secret, a malformed batch, a reused batch id, an erasure.
        using (await server.SendRegistrationAsync(device.DeviceId, ServerHost.NewSecret()))
        {
        }
        using (await server.PostEventsAsync([0x93, 0x01], device.DeviceId, token))
        {
        }
        using (await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{device.DeviceId}", device.DeviceId, token)))
        {
        }

        Assert.NotEmpty(logs.Lines);
        // Tokens and secrets appear nowhere, not even in the framework's request logs (they never travel in a URL).
        foreach (string line in logs.Lines)
        {
            Assert.DoesNotContain(device.Secret, line, StringComparison.Ordinal);
            Assert.DoesNotContain(token, line, StringComparison.Ordinal);
        }
        // The server's own lines name devices by a pseudonym. (An id in a request path, as ASP.NET Core's request
        // log writes it, is harmless now: an id without its secret lets nobody act as the device.)
        var own = logs.Lines.Where(line => line.Contains(" OnDeviceReco.", StringComparison.Ordinal)).ToList();
        Assert.Contains(own, line => line.Contains("dev-", StringComparison.Ordinal));
        Assert.All(own, line => Assert.DoesNotContain(device.DeviceId, line, StringComparison.Ordinal));
    }

    private static byte[] ReadSecretColumn(ServerHost server, string deviceId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "feedback.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret_hash FROM devices WHERE device_id = $d";
        command.Parameters.AddWithValue("$d", server.StoredDevice(deviceId));
        return (byte[])command.ExecuteScalar()!;
    }
}
