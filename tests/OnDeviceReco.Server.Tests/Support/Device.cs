namespace OnDeviceReco.Server.Tests.Support;

/// <summary>One event as a device tracked it: what the server must end up with exactly once.</summary>
public readonly record struct TrackedEvent(string DeviceId, long Sequence, string ItemId);

/// <summary>
/// A device: a RecoClient over a real SQLite store in a temp directory, syncing to <see cref="SyncOptions.ServerUri"/>
/// (the server or the chaos proxy) with short timeouts and backoffs so every fault costs milliseconds.
/// </summary>
public sealed class Device : IDisposable
{
    private Device(RecoClient client, string databasePath, SyncOptions sync)
    {
        Client = client;
        DatabasePath = databasePath;
        Sync = sync;
    }

    public RecoClient Client { get; }

    public string DatabasePath { get; }

    public SyncOptions Sync { get; }

    public string DeviceId => Client.DeviceId;

    /// <summary>The secret the device proves itself with (only the device and this test know it).</summary>
    public string Secret => Client.Store.DeviceSecret;

    /// <summary>Fast sync settings: 50-event batches, 2 s per attempt, 50 ms first backoff, 1 s cap, 5 attempts.</summary>
    public static SyncOptions FastSync(Uri server) => new()
    {
        ServerUri = server,
        ApiKey = ServerHost.ApiKey,
        MaxBatchEvents = 50,
        RequestTimeout = TimeSpan.FromSeconds(2),
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromSeconds(1),
        MaxAttempts = 5,
    };

    /// <summary>Opens (or reopens) the store at <paramref name="databasePath"/> with sync to <paramref name="server"/>.</summary>
    public static Device Open(string databasePath, Uri server, Func<SyncOptions, SyncOptions>? tune = null,
        ConsentState consent = ConsentState.Granted, TimeProvider? clock = null)
    {
        var sync = FastSync(server);
        sync = tune?.Invoke(sync) ?? sync;
        var client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = databasePath, FlushInterval = TimeSpan.FromMilliseconds(50), TimeProvider = clock ?? TimeProvider.System },
            InitialConsent = consent,
            Sync = sync,
        });
        return new Device(client, databasePath, sync);
    }

    /// <summary>A new device with its own database file in <paramref name="directory"/>.</summary>
    public static Device Create(TempDirectory directory, Uri server, Func<SyncOptions, SyncOptions>? tune = null,
        ConsentState consent = ConsentState.Granted, TimeProvider? clock = null) =>
        Open(directory.File($"device-{Guid.NewGuid():N}/store.db"), server, tune, consent, clock);

    /// <summary>Tracks <paramref name="count"/> events with item ids unique to this device (prefix-index), flushes, returns the item ids.</summary>
    public IReadOnlyList<string> Track(int count, string prefix = "item")
    {
        var items = new List<string>(count);
        string device = DeviceId[..8];
        for (int i = 0; i < count; i++)
        {
            string item = $"{device}-{prefix}-{i}";
            var outcome = Client.Track($"user-{i % 3}", item, (EventType)(1 + i % 8), i % 5);
            if (outcome == TrackOutcome.Accepted)
            {
                items.Add(item);
            }
        }
        Client.Flush();
        return items;
    }

    /// <summary>Every event the device stored, as (device id, sequence, item id).</summary>
    public IReadOnlyList<TrackedEvent> StoredEvents() =>
        Client.Store.GetEvents(0, 100_000).Select(e => new TrackedEvent(DeviceId, e.Sequence, e.ItemId)).ToList();

    public long Unsynced => Client.UnsyncedEvents;

    public void Dispose() => Client.Dispose();
}
