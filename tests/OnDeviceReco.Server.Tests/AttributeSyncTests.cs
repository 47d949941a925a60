using System.Net;
using System.Text.Json;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// User attributes from a real device store to the real server on loopback: they land once (lost acknowledgements and
/// duplicate deliveries included), a removal reaches the server, consent governs them like events, erasure removes them,
/// an older server without the endpoint leaves them pending while events sync, and bad batches get ProblemDetails.
/// </summary>
public sealed class AttributeSyncTests
{
    private static bool AttributesPath(Microsoft.AspNetCore.Http.HttpRequest request) => request.Path == "/v1/attributes";

    private static long ServerAttributes(ServerHost server, string deviceId, bool withValue = true) =>
        server.Scalar($"SELECT count(*) FROM user_attributes a JOIN devices d ON d.id = a.device WHERE d.device_id = '{server.StoredDevice(deviceId)}'"
            + (withValue ? " AND a.value IS NOT NULL" : ""));

    private static bool ServerHas(ServerHost server, string deviceId, string user, string key, string value) =>
        server.Scalar($"""
            SELECT count(*) FROM user_attributes a JOIN devices d ON d.id = a.device
            WHERE d.device_id = '{server.StoredDevice(deviceId)}' AND a.user_id = '{server.StoredUser(deviceId, user)}' AND a.key = '{key}' AND a.value = '{value}'
            """) == 1;

    [Fact]
    public async Task Attributes_land_once_through_lost_acknowledgements_and_duplicates_and_a_removal_reaches_the_server()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        proxy.Targets = AttributesPath;
        using var device = Device.Create(dir, proxy.Address);
        device.Client.SetUserAttribute("user-0", "platform", "android");
        device.Client.SetUserAttribute("user-0", "platform", "ios");
        device.Client.SetUserAttribute("user-0", "locale", "de-AT");
        device.Client.SetUserAttribute("user-1", "platform", "web");
        device.Track(20);
        proxy.Enqueue(Fault.AckLost500, Fault.DuplicateConcurrent);

        var first = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, first.Status);
        Assert.Equal(3, first.AttributeChangesSent);
        Assert.Equal(0, device.Client.UnsyncedAttributeChanges);
        Assert.Equal(3, ServerAttributes(server, device.DeviceId));
        Assert.True(ServerHas(server, device.DeviceId, "user-0", "platform", "ios"));
        Assert.True(proxy.Log.Count(r => r.Path == "/v1/attributes") >= 2); // the lost acknowledgement made it resend

        var second = await device.Client.SyncAsync();
        Assert.Equal(0, second.AttributeChangesSent);

        Assert.True(device.Client.RemoveUserAttribute("user-0", "locale"));
        var third = await device.Client.SyncAsync();
        Assert.Equal(1, third.AttributeChangesSent);
        Assert.Equal(2, ServerAttributes(server, device.DeviceId));
        Assert.Equal(0, device.Client.UnsyncedAttributeChanges);
        Assert.Equal(new Dictionary<string, string> { ["platform"] = "ios" }, device.Client.GetUserAttributes("user-0"));
    }

    [Fact]
    public async Task Local_only_attributes_never_reach_the_server_and_revoked_consent_records_none()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var device = Device.Create(dir, server.Address, consent: ConsentState.LocalOnly);
        device.Client.SetUserAttribute("user-0", "age_band", "25-34");

        device.Client.SetConsent(ConsentState.Granted);
        device.Client.SetUserAttribute("user-0", "platform", "ios");
        var synced = await device.Client.SyncAsync();

        Assert.Equal(1, synced.AttributeChangesSent);
        Assert.Equal(1, ServerAttributes(server, device.DeviceId));
        Assert.True(ServerHas(server, device.DeviceId, "user-0", "platform", "ios"));
        Assert.False(ServerHas(server, device.DeviceId, "user-0", "age_band", "25-34"));

        device.Client.SetConsent(ConsentState.Revoked);
        Assert.Equal(TrackOutcome.ConsentRevoked, device.Client.SetUserAttribute("user-0", "locale", "fr"));
        Assert.DoesNotContain("locale", device.Client.GetUserAttributes("user-0").Keys);
        Assert.Equal(SyncStatus.NoConsent, (await device.Client.SyncAsync()).Status);
        Assert.Equal(1, ServerAttributes(server, device.DeviceId));
    }

    [Fact]
    public async Task An_older_server_without_attributes_leaves_them_pending_and_events_still_sync()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        proxy.Targets = AttributesPath;
        proxy.Chooser = _ => Fault.NotFound404;
        using var device = Device.Create(dir, proxy.Address);
        device.Client.SetUserAttribute("user-0", "platform", "ios");
        device.Track(30);

        var old = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, old.Status);
        Assert.Equal(30, old.EventsSent);
        Assert.Equal(0, old.AttributeChangesSent);
        Assert.Equal(1, device.Client.UnsyncedAttributeChanges);
        Assert.Equal(0, ServerAttributes(server, device.DeviceId));

        proxy.Chooser = null; // the server was upgraded
        var upgraded = await device.Client.SyncAsync();
        Assert.Equal(1, upgraded.AttributeChangesSent);
        Assert.Equal(1, ServerAttributes(server, device.DeviceId));
    }

    [Fact]
    public async Task Erasure_removes_a_devices_attributes_on_the_server_and_on_the_device()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var device = Device.Create(dir, server.Address);
        using var other = Device.Create(dir, server.Address);
        device.Client.SetUserAttribute("user-0", "platform", "ios");
        other.Client.SetUserAttribute("user-0", "platform", "web");
        device.Track(5);
        await device.Client.SyncAsync();
        await other.Client.SyncAsync();
        string token = await server.RegisterAsync(device.DeviceId, device.Secret);

        using (var erase = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{device.DeviceId}", device.DeviceId, token)))
        {
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        }
        device.Client.EraseAllData();

        Assert.Equal(0, ServerAttributes(server, device.DeviceId, withValue: false));
        Assert.Equal(1, ServerAttributes(server, other.DeviceId));
        Assert.Empty(device.Client.GetUserAttributes("user-0"));
    }

    public static TheoryData<string> BadBatches => ["malformed", "control character in a value", "key of 65 bytes", "blank user", "another device",
        "change number above 2^53"];

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_attribute_batch_is_refused_with_problem_details_and_stores_nothing(string what)
    {
        await using var server = await ServerHost.StartAsync();
        string deviceId = "device-" + Guid.NewGuid().ToString("N");
        string token = await server.RegisterAsync(deviceId, ServerHost.NewSecret());
        AttributeChange Change(string user = "u", string key = "platform", string? value = "ios") => new(1, 1_700_000_000_000, user, key, value);
        byte[] body = what switch
        {
            "malformed" => [0x96, 0xA3, (byte)'O', (byte)'D', (byte)'R', 0x07],
            "control character in a value" => WireCodec.Encode(AttributeBatch.Create(deviceId, [Change(value: "io\u0001s")])),
            "key of 65 bytes" => WireCodec.Encode(AttributeBatch.Create(deviceId, [Change(key: new string('k', 65))])),
            "blank user" => WireCodec.Encode(AttributeBatch.Create(deviceId, [Change(user: "\u200B")])),
            "another device" => WireCodec.Encode(AttributeBatch.Create("someone-else", [Change()])),
            "change number above 2^53" => WireCodec.Encode(AttributeBatch.Create(deviceId, [Change() with { Sequence = AttributeChange.MaxSequence + 1 }])),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        using var response = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Post, "v1/attributes", deviceId, token, body));

        Assert.Equal(what == "another device" ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(0, server.Scalar("SELECT count(*) FROM user_attributes"));
    }
}
