using System.Net;
using System.Net.Http.Headers;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Issue 10 §2: a client minting device ids cannot exhaust the server. Uploads in flight are bounded across all
/// devices (each holds its body and decoded events in memory), and registrations are rate-limited.
/// </summary>
public sealed class ServerLimitTests
{
    [Fact]
    public async Task Uploads_beyond_the_in_flight_limit_get_503_with_Retry_After_and_succeed_once_a_slot_frees()
    {
        await using var server = await ServerHost.StartAsync(o =>
        {
            o.MaxConcurrentIngests = 1;
            o.IngestQueueLimit = 0;
        });
        string slowDevice = Guid.NewGuid().ToString("N");
        string slowToken = await server.RegisterAsync(slowDevice, ServerHost.NewSecret());
        string otherDevice = Guid.NewGuid().ToString("N");
        string otherToken = await server.RegisterAsync(otherDevice, ServerHost.NewSecret());

        // One upload whose body arrives slowly holds the only slot.
        byte[] slowBody = WireCodec.Encode(Batch(slowDevice, 200));
        var release = new TaskCompletionSource();
        var stalled = new StalledContent(slowBody, release.Task);
        var slowRequest = ServerHost.DeviceRequest(HttpMethod.Post, "v1/events", slowDevice, slowToken);
        slowRequest.Content = stalled;
        var slowResponse = server.Http.SendAsync(slowRequest);
        await stalled.HalfSent.WaitAsync(TimeSpan.FromSeconds(10));

        using (var busy = await server.PostEventsAsync(WireCodec.Encode(Batch(otherDevice, 10)), otherDevice, otherToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
            Assert.True(busy.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        release.SetResult();
        using (var slow = await slowResponse)
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        }
        using (var retried = await server.PostEventsAsync(WireCodec.Encode(Batch(otherDevice, 10)), otherDevice, otherToken))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }
        Assert.Equal(210, (await server.StatsAsync()).Events);
    }

    [Fact]
    public async Task Registrations_beyond_the_per_address_budget_get_429_with_Retry_After()
    {
        await using var server = await ServerHost.StartAsync(o =>
        {
            o.RegistrationsPerAddressPerMinute = 3;
            o.RegistrationBurstPerAddress = 3;
        });
        for (int i = 0; i < 3; i++)
        {
            await server.RegisterAsync(Guid.NewGuid().ToString("N"), ServerHost.NewSecret());
        }
        using var refused = await server.SendRegistrationAsync(Guid.NewGuid().ToString("N"), ServerHost.NewSecret());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(3, (await server.StatsAsync()).Devices);
    }

    [Fact]
    public async Task Registrations_beyond_the_server_wide_budget_get_429()
    {
        await using var server = await ServerHost.StartAsync(o => o.RegistrationsPerSecond = 2);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++)
        {
            using var response = await server.SendRegistrationAsync(Guid.NewGuid().ToString("N"), ServerHost.NewSecret());
            statuses.Add(response.StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True((await server.StatsAsync()).Devices < 6);
    }

    private static EventBatch Batch(string deviceId, int count) =>
        EventBatch.Create(deviceId, Enumerable.Range(1, count)
            .Select(i => new WireEvent(i, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000 + i, "user", $"{deviceId}-item-{i}", 3, 0, WireEvent.NoContext))
            .ToList());

    /// <summary>A body that sends its first half, then waits for the test before sending the rest.</summary>
    private sealed class StalledContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly Task _release;
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StalledContent(byte[] body, Task release)
        {
            _body = body;
            _release = release;
            Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
            Headers.ContentLength = body.Length;
        }

        public Task HalfSent => _halfSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            int half = _body.Length / 2;
            await stream.WriteAsync(_body.AsMemory(0, half));
            await stream.FlushAsync();
            _halfSent.SetResult();
            await _release;
            await stream.WriteAsync(_body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
