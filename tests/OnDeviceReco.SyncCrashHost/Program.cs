using System.Globalization;
using OnDeviceReco;

// Usage: SyncCrashHost <database path> <server uri> <api key> <events> <max batch events>
// Tracks N events named "crash-i", flushes, prints "tracked <device id>", then syncs once with a long timeout and a
// single attempt, so the test decides when the request ends: it kills this process (SIGKILL) while the request is held.
string path = args[0];
var server = new Uri(args[1]);
string apiKey = args[2];
int count = int.Parse(args[3], CultureInfo.InvariantCulture);
int maxBatch = int.Parse(args[4], CultureInfo.InvariantCulture);
var client = new RecoClient(new RecoClientOptions
{
    Store = new StoreOptions { DatabasePath = path, FlushInterval = TimeSpan.FromMilliseconds(20) },
    InitialConsent = ConsentState.Granted,
    Sync = new SyncOptions
    {
        ServerUri = server,
        ApiKey = apiKey,
        MaxBatchEvents = maxBatch,
        RequestTimeout = TimeSpan.FromMinutes(5),
        MaxAttempts = 1,
        InitialBackoff = TimeSpan.Zero,
        MaxBackoff = TimeSpan.Zero,
        DownloadModels = false,
    },
});
for (int i = 0; i < count; i++)
{
    client.Track("crash-user", $"crash-{i}", EventType.Play, i);
}
client.Flush();
Console.Out.WriteLine("tracked " + client.DeviceId);
Console.Out.Flush();
var result = await client.SyncAsync();
// Only reached when the test lets the request finish; the crash tests kill the process before.
Console.Out.WriteLine($"synced {result.Status} {result.EventsSent}");
Console.Out.Flush();
Thread.Sleep(Timeout.Infinite);
