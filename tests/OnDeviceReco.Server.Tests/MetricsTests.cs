using System.Net;
using System.Net.Http.Headers;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// /metrics as a Prometheus scraper reads it: parsed line by line, the series an operator alerts on are there with
/// their labels and move when traffic moves; who may scrape; and the log stays quiet per request under load.
/// </summary>
public sealed class MetricsTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static EventBatch Batch(string deviceId, int count, long firstSequence = 1) =>
        EventBatch.Create(deviceId, Enumerable.Range(0, count)
            .Select(i => new WireEvent(firstSequence + i, Now - 1000 + i, "user", $"item-{firstSequence + i}", 2, 0, WireEvent.NoContext))
            .ToList());

    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(ServerHost server, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="done"/> holds: the exporter serves one snapshot for up to a second.</summary>
    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeUntilAsync(ServerHost server, Func<IReadOnlyList<PrometheusSample>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var samples = await ScrapeAsync(server);
            if (done(samples) || DateTime.UtcNow > deadline)
            {
                return samples;
            }
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Events_held_with_other_content_are_counted_as_conflicting_not_as_already_stored()
    {
        await using var server = await ServerHost.StartAsync();
        string id = $"device-{Guid.NewGuid():N}";
        string token = await server.RegisterAsync(id, ServerHost.NewSecret());
        var before = Batch(id, 10);
        var restored = EventBatch.Create(id, [.. Batch(id, 6, firstSequence: 5).Events.Select(e => e with { ItemId = "after-restore-" + e.Sequence })]);
        foreach (var batch in new[] { before, restored })
        {
            using var request = ServerHost.DeviceRequest(HttpMethod.Post, "v1/events", id, token, WireCodec.Encode(batch));
            request.Headers.Add(BatchAck.ConflictsHeader, "1");
            using var response = await server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var after = await ScrapeUntilAsync(server, s => s.Value("reco_events_conflicting_total") >= 6);
        Assert.Equal(6, after.Value("reco_events_conflicting_total")); // 5..10 held with other items
        Assert.Equal(0, after.Value("reco_events_already_stored_total"));
        Assert.Equal(10, after.Value("reco_events_stored_total"));
    }

    [Fact]
    public async Task Scraped_series_have_the_operator_labels_and_move_with_traffic()
    {
        await using var server = await ServerHost.StartAsync();
        var before = await ScrapeAsync(server);
        Assert.Equal(0, before.Value("reco_devices"));
        Assert.Equal(0, before.Value("reco_model_serving_version"));
        Assert.Contains(before, s => s.Name == "reco_ingest_in_flight");
        Assert.Contains(before, s => s.Name == "reco_ingest_queued");

        // Traffic: 3 devices × 2 batches of 20 events, one batch sent twice, one malformed body, one body of the wrong
        // media type, one wrong API key.
        long bytes = 0;
        byte[]? firstBody = null;
        var devices = new List<(string Id, string Token)>();
        for (int d = 0; d < 3; d++)
        {
            string id = Guid.NewGuid().ToString("N");
            devices.Add((id, await server.RegisterAsync(id, ServerHost.NewSecret())));
        }
        foreach (var (id, token) in devices)
        {
            foreach (long first in (long[])[1, 21])
            {
                byte[] body = WireCodec.Encode(Batch(id, 20, first));
                bytes += body.Length;
                firstBody ??= body;
                using var response = await server.PostEventsAsync(body, id, token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        byte[] again = firstBody!;
        bytes += again.Length;
        using (var replay = await server.PostEventsAsync(again, devices[0].Id, devices[0].Token))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }
        using (var malformed = await server.PostEventsAsync([1, 2, 3], devices[1].Id, devices[1].Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }
        using (var json = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Post, "v1/events", devices[1].Id, devices[1].Token,
            [1, 2, 3], contentType: "application/json")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        }
        using (var wrongKey = await server.PostEventsAsync(again, devices[1].Id, devices[1].Token, apiKey: "not-the-key"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        var after = await ScrapeUntilAsync(server, s => s.Value("reco_requests_rejected_total", ("status", "400")) >= 1);
        Assert.Equal(120, after.Value("reco_events_stored_total"));
        Assert.Equal(20, after.Value("reco_events_already_stored_total"));
        Assert.Equal(6, after.Value("reco_batches_total", ("replayed", "false")));
        Assert.Equal(1, after.Value("reco_batches_total", ("replayed", "true")));
        Assert.Equal(bytes, after.Value("reco_ingest_bytes_total"));
        Assert.Equal(1, after.Value("reco_requests_rejected_total", ("status", "400")));
        // Routing refuses a body of another media type before the endpoint runs: ASP.NET Core's series counts it.
        Assert.Equal(0, after.Value("reco_requests_rejected_total", ("status", "413")));
        Assert.Equal(1, after.Value("http_server_request_duration_seconds_count", ("http_response_status_code", "415")));
        Assert.Equal(1, after.Value("reco_auth_failures_total", ("credential", "api_key")));
        Assert.Equal(3, after.Value("reco_devices"));
        // The batch latency histogram: every acknowledged batch counted, cumulative buckets ending at +Inf.
        Assert.Equal(7, after.Value("reco_ingest_duration_seconds_count"));
        Assert.Equal(7, after.Value("reco_ingest_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Contains(after, s => s.Name == "reco_ingest_duration_seconds_bucket" && s.Labels["le"] == "0.005");
        Assert.True(after.Value("reco_ingest_duration_seconds_sum") > 0);
        // ASP.NET Core's request metrics, by route and status.
        Assert.True(after.Value("http_server_request_duration_seconds_count", ("http_route", "/v1/events"), ("http_response_status_code", "200")) >= 7);
        Assert.All(after.Where(s => s.Name.StartsWith("reco_", StringComparison.Ordinal)),
            s => Assert.Equal(ServerMetrics.MeterName, s.Labels["otel_scope_name"]));
    }

    [Fact]
    public async Task Two_servers_in_one_process_do_not_count_each_others_traffic()
    {
        await using var quiet = await ServerHost.StartAsync();
        await using var busy = await ServerHost.StartAsync();
        string id = Guid.NewGuid().ToString("N");
        string token = await busy.RegisterAsync(id, ServerHost.NewSecret());
        using (var response = await busy.PostEventsAsync(WireCodec.Encode(Batch(id, 10)), id, token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var samples = await ScrapeUntilAsync(busy, s => s.Value("reco_events_stored_total") >= 10);
        Assert.Equal(10, samples.Value("reco_events_stored_total"));
        Assert.Equal(0, (await ScrapeAsync(quiet)).Value("reco_events_stored_total"));
    }

    [Fact]
    public async Task With_a_scrape_key_metrics_need_it_as_a_bearer_token()
    {
        await using var server = await ServerHost.StartAsync(o => o.MetricsScrapeKey = "scrape-secret");
        using (var anonymous = await server.Http.GetAsync("metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "metrics"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerHost.AdminKey);
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.SendAsync(wrong)).StatusCode);
        }
        var samples = await ScrapeAsync(server, "scrape-secret");
        Assert.True(samples.Value("reco_auth_failures_total", ("credential", "scrape_key")) >= 1);
    }

    [Theory]
    [InlineData("127.0.0.1", null, null)]
    [InlineData("::1", null, null)]
    [InlineData("10.1.2.3", null, 403)]
    [InlineData("10.1.2.3", "Bearer k", null)]
    [InlineData("127.0.0.1", "Bearer wrong", 401)]
    public void Without_a_scrape_key_only_loopback_may_scrape(string address, string? authorization, int? refused)
    {
        var options = new ServerOptions { MetricsScrapeKey = authorization is null ? null : "k" };
        var refusal = MetricsAccess.Refusal(options, IPAddress.Parse(address), authorization ?? "");
        Assert.Equal(refused, (refusal as Microsoft.AspNetCore.Http.IStatusCodeHttpResult)?.StatusCode);
    }

    [Fact]
    public async Task Under_load_the_log_writes_no_line_per_request_at_information()
    {
        var logs = new LogCapture();
        // The capture sees every level; per-batch lines are Debug by design, ASP.NET Core's per-request lines are held at Warning.
        await using var server = await ServerHost.StartAsync(logs: logs);
        string id = Guid.NewGuid().ToString("N");
        string token = await server.RegisterAsync(id, ServerHost.NewSecret());
        for (int b = 0; b < 50; b++)
        {
            using var response = await server.PostEventsAsync(WireCodec.Encode(Batch(id, 5, 1 + b * 5)), id, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var lines = logs.Lines.Where(l => !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count < 10, $"{lines.Count} lines at Information or above for 51 requests:\n{string.Join('\n', lines.Take(20))}");
    }
}
