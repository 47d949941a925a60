using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnDeviceReco.LoadTest;
using OnDeviceReco.Server.Hosting;

// Drives real HTTP traffic from many device identities (registration, batches, model checks) against --nodes server
// nodes sharing one store, shows progress, and ends with one JSON line whose lost/duplicates come from the database.
// With --store postgresql and no --connection-string it starts a throwaway PostgreSQL and removes it afterwards.
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

const string apiKey = "load-test-key";
string data = Path.Combine(Path.GetTempPath(), "odr-load-" + Guid.NewGuid().ToString("N")[..8]);
using var postgres = options.Store == "postgresql" && options.ConnectionString is null ? TemporaryPostgres.Start() : null;
string? connectionString = options.ConnectionString ?? postgres?.CreateDatabase("load");
var nodes = new List<Microsoft.AspNetCore.Builder.WebApplication>();
try
{
    for (int n = 0; n < options.Nodes; n++)
    {
        var app = RecoServer.Build(new ServerOptions
        {
            Store = options.Store,
            ConnectionString = connectionString,
            DataDirectory = Path.Combine(data, $"node-{n}"),
            SecretsDirectory = Path.Combine(data, "secrets"),
            Urls = "http://127.0.0.1:0",
            ApiKeys = [apiKey],
            // Every simulated device sits behind this one loopback address.
            RegistrationsPerAddressPerMinute = 10_000_000,
            RegistrationBurstPerAddress = 10_000_000,
            RegistrationsPerSecond = 10_000_000,
            Retraining = new RetrainingOptions { Enabled = false },
        }, builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        nodes.Add(app);
    }
    var addresses = nodes.Select(app => app.ListeningAddress()).ToArray();
    Console.Error.WriteLine($"{options.Nodes} node(s) on {options.Store}: {string.Join(", ", addresses.Select(a => a.ToString()))}");

    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };
    // Warm-up: other devices, same requests, before the clock starts — JIT tier-up, connection pools and PostgreSQL
    // backends' caches are a start-up cost a long-running node pays once; a 10 s measurement should not contain it.
    // Their events are stored and audited like the rest.
    var warmup = Stopwatch.StartNew();
    int warmupDevices = await WarmUpAsync(options, http, addresses);
    double warmupSeconds = warmup.Elapsed.TotalSeconds;
    if (warmupDevices > 0)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warmupDevices} devices, {(long)warmupDevices * options.EventsPerDevice:N0} events in {warmupSeconds:0.0} s"));
    }

    var latencies = new double[(options.EventsPerDevice + options.BatchEvents - 1) / options.BatchEvents * options.Devices];
    int batches = 0;
    long events = 0;
    var devices = Enumerable.Range(0, options.Devices).Select(index => new SimulatedDevice(index, options)).ToArray();
    int devicesDone = 0;
    var clock = Stopwatch.StartNew();
    using var progress = new Timer(_ => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{clock.Elapsed.TotalSeconds,6:0.0} s  {Volatile.Read(ref devicesDone),7} devices  {Interlocked.Read(ref events),10:N0} events  {Interlocked.Read(ref events) / Math.Max(clock.Elapsed.TotalSeconds, 0.001),9:N0}/s")),
        null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    await RunDevicesAsync(devices, http, addresses, options.Concurrency, (ms, count) =>
    {
        latencies[Interlocked.Increment(ref batches) - 1] = ms;
        Interlocked.Add(ref events, count);
    }, () => Interlocked.Increment(ref devicesDone));
    double seconds = clock.Elapsed.TotalSeconds;
    long measured = (long)options.Devices * options.EventsPerDevice;
    long expected = measured + (long)warmupDevices * options.EventsPerDevice;
    var (stored, duplicates) = StoreAudit.Count(options.Store, connectionString ?? Path.Combine(data, "node-0", "feedback.db"), expected, out long lost);
    Array.Sort(latencies, 0, batches);
    var read = args.Contains("--training-read")
        ? TrainingReadProbe.Measure(nodes[0].Services.GetRequiredService<OnDeviceReco.Feedback.IFeedbackStore>())
        : ((double, double, double, long)?)null;
    double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * batches) - 1, 0, batches - 1)];
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["store"] = options.Store,
        ["nodes"] = options.Nodes,
        ["devices"] = options.Devices,
        ["events"] = measured,
        ["seconds"] = Math.Round(seconds, 1),
        ["events_per_s"] = Math.Round(measured / seconds),
        ["p50_ms"] = Math.Round(Percentile(0.50), 1),
        ["p99_ms"] = Math.Round(Percentile(0.99), 1),
        ["lost"] = lost,
        ["duplicates"] = duplicates,
        ["warmup_events"] = (long)warmupDevices * options.EventsPerDevice,
        ["warmup_events_per_s"] = warmupDevices == 0 ? 0 : Math.Round((long)warmupDevices * options.EventsPerDevice / warmupSeconds),
        ["stored_events"] = stored,
    }.Concat(read is var (readSeconds, rssBefore, peak, interactions)
        ? new Dictionary<string, object>
        {
            ["training_read_s"] = Math.Round(readSeconds, 1),
            ["training_read_rss_before_mb"] = Math.Round(rssBefore),
            ["training_read_peak_rss_mb"] = Math.Round(peak),
            ["training_interactions"] = interactions,
        }
        : []).ToDictionary()));
    return lost == 0 && duplicates == 0 ? 0 : 1;
}
finally
{
    foreach (var app in nodes)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
    try
    {
        Directory.Delete(data, recursive: true);
    }
    catch (IOException)
    {
    }
}

// Each device registers, sends its batches and checks for a model; at most `concurrency` devices at once.
static Task RunDevicesAsync(SimulatedDevice[] devices, HttpClient http, Uri[] addresses, int concurrency, Action<double, int> batchDone,
    Action deviceDone) =>
    Parallel.ForEachAsync(Enumerable.Range(0, devices.Length), new ParallelOptions { MaxDegreeOfParallelism = concurrency },
        async (index, cancellationToken) =>
        {
            var device = devices[index];
            devices[index] = null!; // its encoded batches are garbage once sent
            await device.RunAsync(http, addresses[index % addresses.Length], apiKey, batchDone, cancellationToken);
            deviceDone();
        });

// Devices beyond the measured ones, `concurrency` at a time, until the warm-up time is up; how many ran.
static async Task<int> WarmUpAsync(LoadOptions options, HttpClient http, Uri[] addresses)
{
    var until = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
    int started = 0;
    await Task.WhenAll(Enumerable.Range(0, options.WarmupSeconds > 0 ? options.Concurrency : 0).Select(_ => Task.Run(async () =>
    {
        while (Stopwatch.GetTimestamp() < until)
        {
            int index = options.Devices + Interlocked.Increment(ref started) - 1;
            await new SimulatedDevice(index, options).RunAsync(http, addresses[index % addresses.Length], apiKey, (_, _) => { }, CancellationToken.None);
        }
    })));
    return started;
}
