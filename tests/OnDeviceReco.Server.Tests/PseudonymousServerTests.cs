using System.Text;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// The server never stores the ids devices send: a loop of real devices (canary user ids, their own device ids)
/// syncs plays, impressions and attributes, the server retrains, serves exposure and erases one device; afterwards
/// no server file (SQLite database, WAL and side files, model packages, keys) and no log line holds any of those ids,
/// while the store holds their pseudonyms. A pseudonym key rotation gives new names, and erasure still reaches every
/// period and refuses a store restored from a backup, and the device's export holds every period's rows.
/// </summary>
public sealed class PseudonymousServerTests
{
    [Fact]
    public async Task A_sqlite_server_and_its_log_hold_no_id_of_the_loop()
    {
        var logs = new LogCapture();
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync(PseudonymousLoop.Configure, logs: logs);

        var loop = await PseudonymousLoop.RunAsync(server, dir);

        // The store works on pseudonyms: the ids' names are there, the ids are not.
        var stored = server.StoredEvents();
        Assert.Equal(PseudonymousLoop.EventsPerDevice * (loop.DeviceIds.Count - 1), stored.Count);
        Assert.Contains(stored, e => e.DeviceId == server.StoredDevice(loop.DeviceIds[1]) && e.UserId == server.StoredUser(loop.DeviceIds[1], loop.UserIds[1]));
        var files = Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("feedback.db-wal", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("feedback.db-shm", StringComparison.Ordinal));
        PseudonymousLoop.AssertNoIdIn(loop, files.Select(f => (f, ReadShared(f))));
        PseudonymousLoop.AssertNoIdIn(loop, logs.Lines.Select((line, i) => ($"log line {i}", Encoding.UTF8.GetBytes(line))));
    }

    [Fact]
    public async Task A_key_rotation_renames_devices_and_export_and_erasure_still_reach_every_period_and_a_restored_store_is_refused()
    {
        using var dir = new TempDirectory();
        using var serverData = new TempDirectory();
        string path = dir.File("device/store.db");
        var first = await ServerHost.StartAsync(dataDirectory: serverData.Path);
        int port = first.Address.Port;
        string deviceId, before;
        using (var device = Device.Open(path, first.Address))
        {
            deviceId = device.DeviceId;
            device.Track(10, "period-1");
            var sync = await device.Client.SyncAsync();
            Assert.Equal((SyncStatus.Completed, 10), (sync.Status, sync.EventsSent));
            before = first.StoredDevice(deviceId);
        }
        StoreFiles.Copy(path, dir.File("backup/store.db"));
        await first.DisposeAsync();

        // The operator raises the period: a new key file, the old one kept for erasure.
        await using var server = await ServerHost.StartAsync(o => o.Privacy.PseudonymPeriod = 2, port: port, dataDirectory: serverData.Path);
        string after = server.StoredDevice(deviceId);
        Assert.NotEqual(before, after);
        Assert.True(File.Exists(Path.Combine(serverData.Path, "pseudonyms-1.secret")) && File.Exists(Path.Combine(serverData.Path, "pseudonyms-2.secret")));
        using (var device = Device.Open(path, server.Address))
        {
            device.Track(10, "period-2");
            Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
            // Two names, unlinkable without the keys: each period's events under its own.
            var byName = server.StoredEvents().GroupBy(e => e.DeviceId).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(new Dictionary<string, int> { [before] = 10, [after] = 10 }, byName);
            // The device's export holds both periods' events, in its own order, under its current name.
            var export = await ExportTests.ServerExportAsync(device);
            Assert.Equal(after, export.GetProperty("device").GetProperty("device_id").GetString());
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i),
                export.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
            Assert.Equal(20, export.GetProperty("batches").EnumerateArray().Sum(b => b.GetProperty("stored").GetInt32()));

            var erased = await device.Client.EraseAllDataAsync();
            Assert.Equal((SyncStatus.Completed, 1, 0), (erased.Status, erased.ErasedOnServer, erased.ErasuresPending));
        }
        Assert.Empty(server.StoredEvents());
        foreach (string name in (string[])[before, after, deviceId])
        {
            EraseThatStaysErasedTests.AssertAbsent(name, EraseThatStaysErasedTests.ServerFiles(server));
        }

        // A backup from the first period, restored: refused, because the marker is keyed by the id, not by a pseudonym.
        string restoredPath = dir.File("restored/store.db");
        StoreFiles.Copy(dir.File("backup/store.db"), restoredPath);
        using var restored = Device.Open(restoredPath, server.Address);
        Assert.Equal(deviceId, restored.DeviceId);
        restored.Track(3, "restored");
        var refused = await restored.Client.SyncAsync();
        Assert.Equal((SyncStatus.Refused, 410), (refused.Status, refused.HttpStatus));
        Assert.DoesNotContain(server.StoredEvents(), e => e.ItemId.Contains("restored", StringComparison.Ordinal));
    }

    internal static byte[] ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>The same loop on the PostgreSQL store: a pg_dump of the database, the server's files and its log hold none of the ids.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPseudonymousServerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_postgresql_server_its_dump_and_its_log_hold_no_id_of_the_loop()
    {
        var logs = new LogCapture();
        using var dir = new TempDirectory();
        string database = postgres.NewDatabase();
        await using var server = await ServerHost.StartAsync(o =>
        {
            PseudonymousLoop.Configure(o);
            (o.Store, o.ConnectionString) = ("postgresql", database);
        }, logs: logs);

        var loop = await PseudonymousLoop.RunAsync(server, dir);

        string dump = postgres.Dump(database);
        Assert.Contains(server.StoredUser(loop.DeviceIds[1], loop.UserIds[1]), dump, StringComparison.Ordinal);
        Assert.Contains(server.StoredDevice(loop.DeviceIds[1]), dump, StringComparison.Ordinal);
        var files = Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories)
            .Select(f => (f, PseudonymousServerTests.ReadShared(f)));
        PseudonymousLoop.AssertNoIdIn(loop, [("pg_dump", Encoding.UTF8.GetBytes(dump)), .. files]);
        PseudonymousLoop.AssertNoIdIn(loop, logs.Lines.Select((line, i) => ($"log line {i}", Encoding.UTF8.GetBytes(line))));
    }
}

/// <summary>
/// The loop both stores run: 20 devices, each one user with a canary id, 30 plays along a ring of games, one
/// impression of the same game, one attribute; the server retrains on it, serves exposure, and the first device erases.
/// </summary>
internal static class PseudonymousLoop
{
    public const int DeviceCount = 20;
    public const int Plays = 30;
    public const int EventsPerDevice = Plays + 1;

    public sealed record Ids(IReadOnlyList<string> DeviceIds, IReadOnlyList<string> UserIds);

    public static void Configure(OnDeviceReco.Server.Hosting.ServerOptions options)
    {
        options.ExposureRefresh = TimeSpan.Zero;
        options.Retraining.Enabled = true;
        options.Retraining.MinNewEvents = DeviceCount * EventsPerDevice;
        options.Retraining.CheckInterval = TimeSpan.FromMilliseconds(200);
        options.Retraining.MaxEpochs = 3;
        options.Retraining.Threads = 1;
    }

    public static async Task<Ids> RunAsync(ServerHost server, TempDirectory directory)
    {
        var ring = new RingGames(30);
        string trustedKey = await server.ModelKeyAsync();
        var deviceIds = new List<string>();
        var userIds = new List<string>();
        for (int d = 0; d < DeviceCount; d++)
        {
            string user = "canary-user-" + Guid.NewGuid().ToString("N");
            using var device = RingGames.OpenDevice(directory, server, trustedKey, $"device-{d}");
            deviceIds.Add(device.DeviceId);
            userIds.Add(user);
            for (int i = 0; i < Plays; i++)
            {
                device.Track(user, ring.Game(d + i), EventType.Play, timestamp: DateTimeOffset.UtcNow.AddMinutes(i - 60));
            }
            device.Track(user, ring.Game(0), EventType.Impression);
            device.SetUserAttribute(user, "platform", d % 2 == 0 ? "ios" : "android");
            var sync = await device.SyncAsync();
            Assert.Equal((SyncStatus.Completed, EventsPerDevice), (sync.Status, sync.EventsSent));
            Assert.Equal(1, sync.ExposureItems); // devices, counted by their stored names, that were shown game-0
        }

        // Retraining reads the pseudonymous events, builds sequences and cohorts from them and records its run.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        var stats = await server.StatsAsync();
        while (stats.RetrainingRuns < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"No retraining run; last stats: {stats}");
            await Task.Delay(200);
            stats = await server.StatsAsync();
        }
        Assert.Null(stats.LastRetrainingError);
        Assert.Equal(DeviceCount, stats.Devices);

        using (var first = RingGames.OpenDevice(directory, server, trustedKey, "device-0"))
        {
            var erased = await first.EraseAllDataAsync();
            Assert.Equal((SyncStatus.Completed, 1), (erased.Status, erased.ErasedOnServer));
        }
        Assert.Equal(EventsPerDevice * (DeviceCount - 1), (await server.StatsAsync()).Events);
        return new Ids(deviceIds, userIds);
    }

    /// <summary>Fails when any of <paramref name="sources"/> holds one of the loop's ids (UTF-8 bytes).</summary>
    public static void AssertNoIdIn(Ids ids, IEnumerable<(string Name, byte[] Bytes)> sources)
    {
        var all = sources.ToList();
        Assert.NotEmpty(all);
        foreach (string id in ids.DeviceIds.Concat(ids.UserIds))
        {
            byte[] needle = Encoding.UTF8.GetBytes(id);
            foreach (var (name, bytes) in all)
            {
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"'{id}' is in {name}");
            }
        }
    }
}
