using System.Net;
using System.Text.Json;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>Scenario 4, rate limiting: 1 request per second per device with a burst of 2.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private ServerHost _server = null!;

    public async Task InitializeAsync() => _server = await ServerHost.StartAsync(o =>
    {
        o.DeviceRequestsPerSecond = 1;
        o.DeviceRequestBurst = 2;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Batch(string deviceId, long first, int count) => WireCodec.Encode(EventBatch.Create(deviceId,
        Enumerable.Range(0, count).Select(i => new WireEvent(first + i, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "u",
            $"{deviceId}-{first + i}", 1, 0, WireEvent.NoContext)).ToList()));

    [Fact]
    public async Task Beyond_the_burst_a_device_gets_429_with_Retry_After_and_is_served_again_after_waiting()
    {
        string deviceId = Guid.NewGuid().ToString("N");
        string token = await _server.RegisterAsync(deviceId, ServerHost.NewSecret());
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (int i = 0; i < 4 && refused is null; i++)
        {
            var response = await _server.PostEventsAsync(Batch(deviceId, 1 + i * 10, 10), deviceId, token);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }
        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 2, string.Join(",", statuses));
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());

            // Other devices are not affected.
            string other = Guid.NewGuid().ToString("N");
            using (var response = await _server.PostEventsAsync(Batch(other, 1, 5), other, await _server.RegisterAsync(other, ServerHost.NewSecret())))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            await _server.AssertHealthyAsync();

            // Served again once the bucket refills. Retry-After is whole seconds and the bucket refills on a timer, so
            // the first request after exactly Retry-After may still be refused; allow a short margin, bounded.
            await Task.Delay(retryAfter.Value);
            int accepted = statuses.Count(s => s == HttpStatusCode.OK);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            HttpStatusCode status;
            do
            {
                using var response = await _server.PostEventsAsync(Batch(deviceId, 1 + accepted * 10, 10), deviceId, token);
                status = response.StatusCode;
                if (status != HttpStatusCode.OK)
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, status);
                    await Task.Delay(100);
                }
            }
            while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
            Assert.Equal(HttpStatusCode.OK, status);
            var stored = _server.StoredEvents().Where(e => e.DeviceId == _server.StoredDevice(deviceId)).Select(e => e.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, (accepted + 1) * 10).Select(i => (long)i), stored);
        }
    }

    [Fact]
    public async Task Unauthenticated_requests_naming_a_device_do_not_spend_its_rate_limit()
    {
        string victim = Guid.NewGuid().ToString("N");
        string token = await _server.RegisterAsync(victim, ServerHost.NewSecret());
        for (int i = 0; i < 2; i++)
        {
            // Refused for its token, or limited by its own address's bucket: either way not the victim's allowance.
            using var forged = await _server.PostEventsAsync(Batch(victim, 1, 1), victim, "not-the-token");
            Assert.Contains(forged.StatusCode, (HttpStatusCode[])[HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests]);
        }

        using var response = await _server.PostEventsAsync(Batch(victim, 1, 10), victim, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
