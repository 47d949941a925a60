using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.LoadTest;

/// <summary>
/// One device as the wire sees it: registers with its own id and secret, uploads its events in batches (each
/// request timed), then asks for the serving model — the requests a real device makes, without its store. Its
/// batches are encoded when it is created, before the clock starts: encoding is the device's work, and on this
/// machine the load generator shares the cores with the server it measures.
/// </summary>
internal sealed class SimulatedDevice
{
    private readonly string _secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private readonly List<(byte[] Body, int Count)> _batches = [];

    public SimulatedDevice(int index, LoadOptions options)
    {
        Id = $"load-{index:D7}-{Guid.NewGuid():N}"[..32];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int first = 1; first <= options.EventsPerDevice; first += options.BatchEvents)
        {
            int count = Math.Min(options.BatchEvents, options.EventsPerDevice - first + 1);
            var events = Enumerable.Range(first, count)
                .Select(s => new WireEvent(s, now - 60_000 + s, "player", $"item-{(index * 7 + s) % 5000}", 3, 0, WireEvent.NoContext))
                .ToList();
            _batches.Add((WireCodec.Encode(EventBatch.Create(Id, events)), count));
        }
    }

    public string Id { get; }

    public async Task RunAsync(HttpClient http, Uri node, string apiKey, Action<double, int> batchDone, CancellationToken cancellationToken)
    {
        string token = await RegisterAsync(http, node, apiKey, cancellationToken);
        foreach (var (body, count) in _batches)
        {
            var started = Stopwatch.GetTimestamp();
            await SendWithRetryAsync(http, () => Request(HttpMethod.Post, new Uri(node, "v1/events"), apiKey, token, body), cancellationToken);
            batchDone(Stopwatch.GetElapsedTime(started).TotalMilliseconds, count);
        }
        using var latest = Request(HttpMethod.Get, new Uri(node, "v1/models/latest"), apiKey, token, null);
        using var response = await http.SendAsync(latest, cancellationToken);
        if (response.StatusCode is not (System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.NotFound))
        {
            throw new InvalidOperationException($"model check answered {(int)response.StatusCode}");
        }
    }

    private async Task<string> RegisterAsync(HttpClient http, Uri node, string apiKey, CancellationToken cancellationToken)
    {
        byte[] body = WireCodec.Encode(new DeviceRegistration(Id, _secret));
        var response = await SendWithRetryAsync(http, () => Request(HttpMethod.Post, new Uri(node, "v1/devices"), apiKey, null, body), cancellationToken);
        return WireCodec.DecodeCredential(response).Token;
    }

    /// <summary>Sends, retrying what a device retries (503 busy, 429, 5xx) after a short pause; anything else is a failure.</summary>
    private static async Task<byte[]> SendWithRetryAsync(HttpClient http, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var request = create();
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            if ((int)response.StatusCode is not (429 or >= 500) || attempt == 20)
            {
                throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1)), cancellationToken);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, Uri uri, string apiKey, string? token, byte[]? body)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("X-Api-Key", apiKey);
        if (token is not null)
        {
            request.Headers.Add("X-Device-Id", Id);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
        }
        return request;
    }
}
