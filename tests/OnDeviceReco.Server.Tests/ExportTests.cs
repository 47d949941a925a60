using System.Net;
using System.Text.Json;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Export (a user's rights of access and portability), real server and real device stores: the device's export and the
/// server's export of the same synced events agree field by field; the server's export is the asking device's only,
/// answered with ProblemDetails otherwise, and 410 once the device was erased.
/// </summary>
public sealed class ExportTests
{
    internal static async Task<JsonElement> ServerExportAsync(Device device)
    {
        using var buffer = new MemoryStream();
        var result = await device.Client.ExportServerDataAsync(buffer);
        Assert.True(result.Status == ServerExportStatus.Completed, $"{result.Status} {result.HttpStatus}: {result.Error}");
        Assert.Equal(buffer.Length, result.Bytes);
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    private static JsonElement DeviceExport(Device device)
    {
        using var buffer = new MemoryStream();
        device.Client.ExportData(buffer);
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    /// <summary>An event as both exports write it, on the fields both sides hold (user ids may be pseudonyms on the server).</summary>
    private static string Comparable(JsonElement e) => string.Join(" | ",
        e.GetProperty("sequence").GetInt64(), e.GetProperty("item_id").GetString(), e.GetProperty("type").GetString(),
        e.GetProperty("type_code").GetInt32(), e.GetProperty("time").GetString(), e.GetProperty("time_ms").GetInt64(),
        e.GetProperty("value").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        string.Join(",", e.GetProperty("context").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")));

    [Fact]
    public async Task Device_and_server_exports_of_the_same_synced_events_agree_field_by_field()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var device = Device.Create(dir, server.Address, sync => sync with { Fields = SyncedFields.All });
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        for (int i = 0; i < 120; i++)
        {
            var context = i % 3 == 0 ? new Dictionary<string, string> { ["screen"] = $"shelf-{i % 4}", ["request_id"] = $"r{i / 10}", ["rank"] = $"{i % 10 + 1}" } : null;
            device.Client.Track($"player-{i % 4}", $"game-{i % 17}", (EventType)(1 + i % 8), i * 0.25, start.AddSeconds(i * 37).AddMilliseconds(i), context);
        }
        device.Client.RecordOnboardingAnswer("player-0", "game-99", OnboardingAnswer.Disliked);
        device.Client.SetUserAttribute("player-1", "platform", "ios");
        device.Client.SetUserAttribute("player-2", "locale", "fr");
        Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);

        var mine = DeviceExport(device);
        var theirs = await ServerExportAsync(device);

        Assert.Equal("ondevicereco-server-export", theirs.GetProperty("format").GetString());
        Assert.Equal(device.DeviceId, mine.GetProperty("device").GetProperty("device_id").GetString());
        var onDevice = mine.GetProperty("users").EnumerateArray().SelectMany(u => u.GetProperty("events").EnumerateArray()).ToList();
        var onServer = theirs.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(121, onDevice.Count);
        Assert.All(onDevice, e => Assert.Equal("synced", e.GetProperty("sync_state").GetString()));
        Assert.Equal(onDevice.Select(Comparable).Order(StringComparer.Ordinal), onServer.Select(Comparable).Order(StringComparer.Ordinal));
        // Attributes too, on the fields both hold.
        static string Attribute(JsonElement a) => $"{a.GetProperty("key").GetString()}={a.GetProperty("value").GetString()}#{a.GetProperty("change_sequence").GetInt64()}";
        Assert.Equal(
            mine.GetProperty("users").EnumerateArray().SelectMany(u => u.GetProperty("attributes").EnumerateArray()).Select(Attribute).Order(),
            theirs.GetProperty("attributes").EnumerateArray().Select(Attribute).Order());
        // Every batch the device sent is on record, and they add up to the events.
        Assert.Equal(121, theirs.GetProperty("batches").EnumerateArray().Sum(b => b.GetProperty("stored").GetInt32()));
    }

    [Theory]
    [InlineData("default")]
    [InlineData("all")]
    [InlineData("no context, value, minute")]
    [InlineData("linking, second")]
    [InlineData("all context, day")]
    public async Task Each_field_choice_sends_what_it_says_and_no_more(string choice)
    {
        var fields = choice switch
        {
            "default" => SyncedFields.Minimal,
            "all" => SyncedFields.All,
            "no context, value, minute" => new SyncedFields { Context = SyncedContext.None, Value = true, Time = TimePrecision.Minute },
            "linking, second" => new SyncedFields { Time = TimePrecision.Second },
            _ => new SyncedFields { Context = SyncedContext.All, Time = TimePrecision.Day },
        };
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        using var device = Device.Create(dir, server.Address, sync => sync with { Fields = fields });
        var at = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(-2).Date, TimeSpan.Zero).AddHours(13).AddMinutes(47).AddSeconds(11).AddMilliseconds(503);
        var context = new Dictionary<string, string> { ["screen"] = "home", ["request_id"] = "req-1", ["arm"] = "exp/treatment", ["rank"] = "3" };
        device.Client.Track("alice", "game-1", EventType.Rate, 4.5, at, context);
        Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);

        var stored = Assert.Single((await ServerExportAsync(device)).GetProperty("events").EnumerateArray());

        Assert.Equal(("game-1", "rate", 1L), (stored.GetProperty("item_id").GetString()!, stored.GetProperty("type").GetString()!, stored.GetProperty("sequence").GetInt64()));
        Assert.Equal(fields.Value ? 4.5 : 0, stored.GetProperty("value").GetDouble());
        long expectedMs = fields.Time switch
        {
            TimePrecision.Exact => at.ToUnixTimeMilliseconds(),
            TimePrecision.Second => at.AddMilliseconds(-503).ToUnixTimeMilliseconds(),
            TimePrecision.Minute => at.AddMilliseconds(-503).AddSeconds(-11).ToUnixTimeMilliseconds(),
            TimePrecision.Hour => at.AddMilliseconds(-503).AddSeconds(-11).AddMinutes(-47).ToUnixTimeMilliseconds(),
            _ => at.AddMilliseconds(-503).AddSeconds(-11).AddMinutes(-47).AddHours(-13).ToUnixTimeMilliseconds(),
        };
        Assert.Equal(expectedMs, stored.GetProperty("time_ms").GetInt64());
        string[] expectedKeys = fields.Context switch
        {
            SyncedContext.All => ["arm", "rank", "request_id", "screen"],
            SyncedContext.Linking => ["arm", "request_id"],
            _ => [],
        };
        Assert.Equal(expectedKeys, stored.GetProperty("context").EnumerateObject().Select(p => p.Name));
        // Also straight from the server's database: nothing of what was withheld is anywhere in the row.
        Assert.Equal(expectedKeys.Contains("screen") ? 1 : 0, server.Scalar("SELECT count(*) FROM events WHERE context LIKE '%home%'"));
        // And the device kept everything, whatever left it.
        var kept = Assert.Single(DeviceExport(device).GetProperty("users")[0].GetProperty("events").EnumerateArray());
        Assert.Equal((4.5, at.ToUnixTimeMilliseconds(), 4), (kept.GetProperty("value").GetDouble(), kept.GetProperty("time_ms").GetInt64(), kept.GetProperty("context").EnumerateObject().Count()));
    }

    [Fact]
    public async Task A_device_that_never_synced_asks_nothing_and_a_restored_erased_one_hears_410()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        string path = dir.File("device/store.db");
        using (var fresh = Device.Open(path, proxy.Address))
        {
            fresh.Track(10);
            var nothing = await fresh.Client.ExportServerDataAsync(new MemoryStream());
            Assert.Equal((ServerExportStatus.NothingOnServer, 0L), (nothing.Status, nothing.Bytes));
            Assert.Empty(proxy.Log); // not even a registration
            Assert.Equal(SyncStatus.Completed, (await fresh.Client.SyncAsync()).Status);
            fresh.Client.Flush();
            StoreFiles.Copy(path, dir.File("backup/store.db")); // a backup holding the identity and its token
            Assert.Equal(10, (await ServerExportAsync(fresh)).GetProperty("events").GetArrayLength());
            Assert.Equal(SyncStatus.Completed, (await fresh.Client.EraseAllDataAsync()).Status);
        }
        using var restored = Device.Open(dir.File("backup/store.db"), server.Address);
        var buffer = new MemoryStream();
        var gone = await restored.Client.ExportServerDataAsync(buffer);
        Assert.Equal((ServerExportStatus.Erased, 410, 0L), (gone.Status, gone.HttpStatus, buffer.Length));
    }

    [Fact]
    public async Task The_server_export_is_the_asking_devices_own_with_ProblemDetails_otherwise()
    {
        await using var server = await ServerHost.StartAsync();
        string deviceId = Guid.NewGuid().ToString("N"), otherId = Guid.NewGuid().ToString("N");
        string token = await server.RegisterAsync(deviceId, ServerHost.NewSecret());
        await server.RegisterAsync(otherId, ServerHost.NewSecret());

        await AssertProblemAsync(server, ServerHost.DeviceRequest(HttpMethod.Get, $"v1/devices/{deviceId}/export", deviceId, null), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(server, ServerHost.DeviceRequest(HttpMethod.Get, $"v1/devices/{deviceId}/export", deviceId, token, apiKey: "wrong"), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(server, ServerHost.DeviceRequest(HttpMethod.Get, $"v1/devices/{otherId}/export", deviceId, token), HttpStatusCode.Forbidden);
        using (var own = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, $"v1/devices/{deviceId}/export", deviceId, token)))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal("application/json", own.Content.Headers.ContentType?.MediaType);
            var export = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(0, export.GetProperty("events").GetArrayLength());
        }
        using (var erase = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Delete, $"v1/devices/{deviceId}", deviceId, token)))
        {
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        }
        // The token outlives the erasure (tokens are stateless); the data does not.
        await AssertProblemAsync(server, ServerHost.DeviceRequest(HttpMethod.Get, $"v1/devices/{deviceId}/export", deviceId, token), HttpStatusCode.Gone);
    }

    private static async Task AssertProblemAsync(ServerHost server, HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        using (var response = await server.Http.SendAsync(request))
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }
    }
}
