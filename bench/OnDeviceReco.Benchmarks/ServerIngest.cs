using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Server ingest under concurrent devices: D devices each POSTing pre-encoded batches of 1,000 events at the same
/// time over loopback HTTP (auth, rate limiting, decode, validate, store once, acknowledge) — against the raw
/// floor of one thread ingesting the same batches straight into a fresh server store.
/// </summary>
[EventsPerSecondColumn]
[InvocationCount(1)]
public class ServerIngest
{
    private const int BatchEvents = 1_000;
    private BenchServer _server = null!;
    private HttpClient _http = null!;
    private (string Device, string Token, byte[][] Bodies)[] _devices = [];
    private RawIngestFloor _raw = null!;

    [Params(1, 8)]
    public int Devices { get; set; }

    [Params(40_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _server = BenchServer.Start();
        _http = new HttpClient { BaseAddress = _server.Address };
        _raw = new RawIngestFloor(Events, BatchEvents);
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _http.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(ConcurrentDevices))]
    public void SetupDevices()
    {
        // Fresh device ids every iteration: the server must store, not recognise a replay.
        _devices = Enumerable.Range(0, Devices).Select(_ =>
        {
            string device = Guid.NewGuid().ToString("N");
            int batches = Events / Devices / BatchEvents;
            var bodies = Enumerable.Range(0, batches).Select(b =>
            {
                var source = WireSamples.MovieLensBatch(BatchEvents * (b + 1), device).Events.Skip(BatchEvents * b).ToArray();
                return WireCodec.Encode(EventBatch.Create(device, source));
            }).ToArray();
            return (device, Register(device), bodies);
        }).ToArray();
    }

    [Benchmark]
    public int ConcurrentDevices()
    {
        var uploads = _devices.Select(d => Task.Run(async () =>
        {
            int stored = 0;
            foreach (var body in d.Bodies)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/events") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
                request.Headers.Add("X-Api-Key", BenchServer.ApiKey);
                request.Headers.Add("X-Device-Id", d.Device);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", d.Token);
                using var response = await _http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                stored += WireCodec.DecodeAck(await response.Content.ReadAsByteArrayAsync()).Stored;
            }
            return stored;
        })).ToArray();
        int total = Task.WhenAll(uploads).GetAwaiter().GetResult().Sum();
        return total == Events ? total : throw new InvalidOperationException($"Stored {total} of {Events}.");
    }

    [IterationSetup(Target = nameof(RawStoreIngest))]
    public void SetupRaw() => _raw.Setup();

    [IterationCleanup(Target = nameof(RawStoreIngest))]
    public void CleanupRaw() => _raw.Cleanup();

    [Benchmark(Baseline = true)]
    public int RawStoreIngest() => _raw.Run();

    private string Register(string device)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/devices") { Content = new ByteArrayContent(WireCodec.Encode(new DeviceRegistration(device, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))))) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
        request.Headers.Add("X-Api-Key", BenchServer.ApiKey);
        using var response = _http.Send(request);
        response.EnsureSuccessStatusCode();
        return WireCodec.DecodeCredential(response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()).Token;
    }
}
