using System.Net;
using System.Text.Json;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Scenario 4: bad requests are refused with the right status and a ProblemDetails body, nothing bad is stored,
/// and the server keeps serving: after each, a valid batch is acknowledged and /health is healthy.
/// </summary>
public sealed class BadRequestTests : IAsyncLifetime
{
    private ServerHost _server = null!;

    public async Task InitializeAsync() => _server = await ServerHost.StartAsync(o => o.MaxRequestBytes = 64 * 1024);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static EventBatch Batch(string deviceId, int count, long firstSequence = 1, string prefix = "item", int type = 2) =>
        EventBatch.Create(deviceId, Enumerable.Range(0, count)
            .Select(i => new WireEvent(firstSequence + i, Now - 1000 + i, "user", $"{deviceId}-{prefix}-{firstSequence + i}", type, 0, WireEvent.NoContext))
            .ToList());

    private async Task<(string DeviceId, string Token)> NewDeviceAsync()
    {
        string deviceId = Guid.NewGuid().ToString("N");
        return (deviceId, await _server.RegisterAsync(deviceId, ServerHost.NewSecret()));
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement.Clone();
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        return root;
    }

    private static async Task<BatchAck> AssertAckAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WireCodec.ContentType, response.Content.Headers.ContentType?.MediaType);
        return WireCodec.DecodeAck(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>A fresh device's valid batch is stored and acknowledged, and /health is healthy.</summary>
    private async Task AssertStillServingAsync()
    {
        var (deviceId, token) = await NewDeviceAsync();
        var batch = Batch(deviceId, 5);
        long before = (await _server.StatsAsync()).Events;
        using var response = await _server.PostEventsAsync(WireCodec.Encode(batch), deviceId, token);
        var ack = await AssertAckAsync(response);
        Assert.Equal(batch.BatchId, ack.BatchId);
        Assert.Equal(5, ack.Stored);
        Assert.False(ack.Replayed);
        Assert.Equal(before + 5, (await _server.StatsAsync()).Events);
        await _server.AssertHealthyAsync();
    }

    public static TheoryData<string> MalformedBodies => new()
    {
        "empty",
        "random bytes",
        "a JSON object",
        "a registration instead of a batch",
        "a batch cut in half",
        "a valid batch followed by trailing bytes",
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_MessagePack_is_400_problem_details_and_nothing_is_stored(string kind)
    {
        var (deviceId, token) = await NewDeviceAsync();
        byte[] valid = WireCodec.Encode(Batch(deviceId, 50));
        byte[] body = kind switch
        {
            "empty" => [],
            "random bytes" => RandomBytes(300),
            "a JSON object" => """{"deviceId":"x","events":[]}"""u8.ToArray(),
            "a registration instead of a batch" => WireCodec.Encode(new DeviceRegistration(deviceId, ServerHost.NewSecret())),
            "a batch cut in half" => valid[..(valid.Length / 2)],
            _ => [.. valid, 0xC0, 0xC0],
        };

        using var response = await _server.PostEventsAsync(body, deviceId, token);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        var stats = await _server.StatsAsync();
        Assert.Equal(0, stats.Events);
        Assert.Equal(0, stats.Batches);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Body_over_MaxRequestBytes_is_413_whether_announced_or_streamed()
    {
        var (deviceId, token) = await NewDeviceAsync();
        byte[] big = RandomBytes(_server.Options.MaxRequestBytes + 1);

        using (var announced = await _server.PostEventsAsync(big, deviceId, token))
        {
            await AssertProblemAsync(announced, HttpStatusCode.RequestEntityTooLarge);
        }
        using (var request = ServerHost.DeviceRequest(HttpMethod.Post, "v1/events", deviceId, token))
        {
            // No Content-Length: the limit must hold while the body streams in. The server answers 413 and closes the
            // connection with the rest of the upload unread; on a busy machine the client sometimes sees the close
            // before the answer (HttpIOException ResponseEnded). Either way the upload is refused; the SDK always
            // announces Content-Length, so it gets the 413 it needs to split its batch (test below).
            request.Content = new StreamContent(new MemoryStream(big));
            request.Content.Headers.ContentType = new("application/x-msgpack");
            request.Headers.TransferEncodingChunked = true;
            HttpResponseMessage? streamed = null;
            try
            {
                streamed = await _server.Http.SendAsync(request);
            }
            catch (HttpRequestException e) when (e.InnerException is HttpIOException or IOException)
            {
                // Connection closed before the answer was read: refused, but the status is lost.
            }
            if (streamed is not null)
            {
                using (streamed)
                {
                    await AssertProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge);
                }
            }
        }
        Assert.Equal(0, (await _server.StatsAsync()).Events);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_valid_batch_over_MaxRequestBytes_is_split_by_the_device_after_413()
    {
        // The device's MaxBatchBytes (512 KB) is above this server's 64 KB: it halves after the 413 and goes on.
        using var dir = new TempDirectory();
        using var device = Device.Create(dir, _server.Address, s => s with { MaxBatchEvents = 20_000 });
        for (int i = 0; i < 6000; i++)
        {
            device.Client.Track("user", $"a-rather-long-item-identifier-{Guid.NewGuid():N}-{i}", EventType.View);
        }
        device.Client.Flush();

        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(6000, result.EventsSent);
        await Ledger.AssertExactlyOnceAsync(_server, device.StoredEvents());
        Assert.True((await _server.StatsAsync()).RejectedRequests >= 1);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Missing_or_wrong_credentials_are_401_and_nothing_is_stored()
    {
        var (deviceId, token) = await NewDeviceAsync();
        var (otherId, otherToken) = await NewDeviceAsync();
        byte[] body = WireCodec.Encode(Batch(deviceId, 10));
        var attempts = new (string What, string? Device, string? Token, string? ApiKey)[]
        {
            ("no API key", deviceId, token, null),
            ("wrong API key", deviceId, token, "not-the-key"),
            ("no device token", deviceId, null, ServerHost.ApiKey),
            ("wrong device token", deviceId, token[..^2] + "xx", ServerHost.ApiKey),
            ("another device's token", deviceId, otherToken, ServerHost.ApiKey),
            ("no device id", null, token, ServerHost.ApiKey),
        };
        foreach (var (what, device, presented, apiKey) in attempts)
        {
            using var response = await _server.PostEventsAsync(body, device, presented, apiKey);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
        using (var register = new HttpRequestMessage(HttpMethod.Post, "v1/devices") { Content = ServerHost.MsgPack(WireCodec.Encode(new DeviceRegistration(otherId, ServerHost.NewSecret()))) })
        {
            using var response = await _server.Http.SendAsync(register);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
        Assert.Equal(0, (await _server.StatsAsync()).Events);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_device_token_with_another_device_s_batch_is_403()
    {
        var (deviceA, tokenA) = await NewDeviceAsync();
        var (deviceB, _) = await NewDeviceAsync();

        using var response = await _server.PostEventsAsync(WireCodec.Encode(Batch(deviceB, 10)), deviceA, tokenA);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        var stats = await _server.StatsAsync();
        Assert.Equal(0, stats.Events);
        Assert.Equal(2, stats.Devices); // both registered; neither stored anything
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task The_same_bytes_sent_again_are_acknowledged_as_replayed_and_stored_once()
    {
        var (deviceId, token) = await NewDeviceAsync();
        var batch = Batch(deviceId, 40);
        byte[] body = WireCodec.Encode(batch);

        BatchAck first, second, third;
        using (var response = await _server.PostEventsAsync(body, deviceId, token))
        {
            first = await AssertAckAsync(response);
        }
        using (var response = await _server.PostEventsAsync(body, deviceId, token))
        {
            second = await AssertAckAsync(response);
        }
        using (var response = await _server.PostEventsAsync(body, deviceId, token))
        {
            third = await AssertAckAsync(response);
        }

        Assert.Equal(new BatchAck(batch.BatchId, 40, 40, 0, false), first);
        // A replay stores nothing: every event of it was already stored by the first delivery.
        Assert.Equal(first with { Stored = 0, AlreadyStored = 40, Replayed = true }, second);
        Assert.Equal(second, third);
        var stats = await _server.StatsAsync();
        Assert.Equal(40, stats.Events);
        Assert.Equal(1, stats.Batches);
        Assert.Equal(2, stats.ReplayedBatches);
        Assert.Equal(40, _server.StoredEvents().Count(e => e.DeviceId == _server.StoredDevice(deviceId)));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Overlapping_batches_with_new_ids_store_only_the_new_events()
    {
        var (deviceId, token) = await NewDeviceAsync();
        using (var response = await _server.PostEventsAsync(WireCodec.Encode(Batch(deviceId, 30)), deviceId, token))
        {
            Assert.Equal(30, (await AssertAckAsync(response)).Stored);
        }
        // Sequences 21..60: 10 already there, 30 new.
        using (var response = await _server.PostEventsAsync(WireCodec.Encode(Batch(deviceId, 40, firstSequence: 21)), deviceId, token))
        {
            var ack = await AssertAckAsync(response);
            Assert.Equal(30, ack.Stored);
            Assert.Equal(10, ack.AlreadyStored);
            Assert.False(ack.Replayed);
        }
        var stored = _server.StoredEvents().Where(e => e.DeviceId == _server.StoredDevice(deviceId)).Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), stored);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task The_same_batch_id_with_different_content_is_409_and_the_first_content_stays()
    {
        var (deviceId, token) = await NewDeviceAsync();
        var original = Batch(deviceId, 20);
        // Ids derive from the content too, so only a client bug or a forged request reuses one for other events.
        var forged = Batch(deviceId, 20, prefix: "forged") with { BatchId = original.BatchId };

        using (var response = await _server.PostEventsAsync(WireCodec.Encode(original), deviceId, token))
        {
            await AssertAckAsync(response);
        }
        using (var response = await _server.PostEventsAsync(WireCodec.Encode(forged), deviceId, token))
        {
            await AssertProblemAsync(response, HttpStatusCode.Conflict);
        }

        var stored = _server.StoredEvents().Where(e => e.DeviceId == _server.StoredDevice(deviceId)).ToList();
        Assert.Equal(20, stored.Count);
        Assert.All(stored, e => Assert.Contains("-item-", e.ItemId, StringComparison.Ordinal));
        await AssertStillServingAsync();
    }

    public static TheoryData<string> InvalidEvents => new()
    {
        "type 0", "type 11", "type 999", "type 2000", "type -1", "blank user id", "blank item id", "item id of 257 characters",
        "timestamp before 1970", "user id of only a no-break space", "item id of only a zero-width space", "user id with DEL",
        "context value with a newline",
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task An_invalid_event_refuses_the_whole_batch_with_400_naming_its_sequence_id(string kind)
    {
        var (deviceId, token) = await NewDeviceAsync();
        var events = Batch(deviceId, 10).Events.ToList();
        var bad = events[7];
        events[7] = kind switch
        {
            "type 0" => bad with { Type = 0 },
            "type 11" => bad with { Type = 11 },
            "type 999" => bad with { Type = 999 },
            "type 2000" => bad with { Type = 2000 },
            "type -1" => bad with { Type = -1 },
            "blank user id" => bad with { UserId = "   " },
            "blank item id" => bad with { ItemId = " " },
            "item id of 257 characters" => bad with { ItemId = new string('x', 257) },
            "timestamp before 1970" => bad with { TimestampMs = -5 },
            "user id of only a no-break space" => bad with { UserId = "\u00A0" },
            "item id of only a zero-width space" => bad with { ItemId = "\u200B" },
            "user id with DEL" => bad with { UserId = "user\u007F" },
            _ => bad with { Context = new Dictionary<string, string> { ["note"] = "two\nlines" } },
        };

        using var response = await _server.PostEventsAsync(WireCodec.Encode(EventBatch.Create(deviceId, events)), deviceId, token);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([bad.Sequence], problem.GetProperty("invalidSequences").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(0, (await _server.StatsAsync()).Events);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_MessagePack_content_type_is_415()
    {
        var (deviceId, token) = await NewDeviceAsync();
        using var request = ServerHost.DeviceRequest(HttpMethod.Post, "v1/events", deviceId, token,
            WireCodec.Encode(Batch(deviceId, 3)), contentType: "application/json");
        using var response = await _server.Http.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, (await _server.StatsAsync()).Events);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Malformed_registrations_are_400_and_overlong_device_ids_are_refused()
    {
        using (var response = await _server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "v1/devices")
               {
                   Content = ServerHost.MsgPack(RandomBytes(64)), Headers = { { "X-Api-Key", ServerHost.ApiKey } },
               }))
        {
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
        using (var response = await _server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "v1/devices")
               {
                   Content = ServerHost.MsgPack(WireCodec.Encode(new DeviceRegistration(new string('d', 129), ServerHost.NewSecret()))),
                   Headers = { { "X-Api-Key", ServerHost.ApiKey } },
               }))
        {
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_device_endpoints()
    {
        using var response = await _server.Http.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = json.RootElement.GetProperty("paths");
        foreach (string path in (string[])["/v1/events", "/v1/attributes", "/v1/devices", "/v1/devices/{deviceId}", "/v1/models/latest"])
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document.");
        }
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
