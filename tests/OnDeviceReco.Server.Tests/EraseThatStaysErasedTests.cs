using System.Net;
using System.Text;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Erasure from the SDK reaches the server and stays: online and offline-then-online (with a restart between), the
/// server keeps none of the erased identity's events, a backup of the device's store restored afterwards gets
/// nothing stored, a fresh install syncs as ever, and a canary user id is in no raw file on either side (SQLite
/// database, WAL and side files; the erasure file).
/// </summary>
public sealed class EraseThatStaysErasedTests
{
    [Fact]
    public async Task Online_erase_leaves_nothing_on_either_side_and_a_restored_backup_stores_nothing()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        string canary = Canary();
        using var other = Device.Create(dir, server.Address);
        other.Track(30);
        Assert.Equal(SyncStatus.Completed, (await other.Client.SyncAsync()).Status);

        string path = dir.File("device/store.db");
        string erasedId;
        using (var device = Device.Open(path, server.Address))
        {
            TrackCanary(device, canary, 100);
            device.Client.Flush();
            StoreFiles.Copy(path, dir.File("backup/store.db")); // a backup taken before the first sync
            erasedId = device.DeviceId;
            var sync = await device.Client.SyncAsync();
            Assert.Equal((SyncStatus.Completed, 100), (sync.Status, sync.EventsSent));
            Assert.Equal(100, server.StoredEvents().Count(e => e.DeviceId == server.StoredDevice(erasedId)));

            var erased = await device.Client.EraseAllDataAsync();

            Assert.Equal((SyncStatus.Completed, 1, 0), (erased.Status, erased.ErasedOnServer, erased.ErasuresPending));
            Assert.NotEqual(erasedId, device.DeviceId);
            Assert.False(File.Exists(path + ".erase")); // nothing owed any more
        }
        Assert.DoesNotContain(server.StoredEvents(), e => e.DeviceId == server.StoredDevice(erasedId));
        Assert.Equal(30, server.StoredEvents().Count);
        Assert.Equal(0, server.Scalar($"SELECT count(*) FROM devices WHERE device_id = '{server.StoredDevice(erasedId)}'"));
        AssertAbsent(canary, ServerFiles(server));
        AssertAbsent(erasedId, ServerFiles(server));
        // The server never held the ids themselves (PseudonymousServerTests); what it held under their pseudonyms is gone too.
        AssertAbsent(server.StoredUser(erasedId, canary), ServerFiles(server));
        AssertAbsent(server.StoredDevice(erasedId), ServerFiles(server));
        AssertAbsent(canary, DeviceFiles(path));

        // The backup restored (same id and secret, its 100 events unsynced): the server takes none of them.
        string restoredPath = dir.File("restored/store.db");
        StoreFiles.Copy(dir.File("backup/store.db"), restoredPath);
        using (var restored = Device.Open(restoredPath, server.Address))
        {
            Assert.Equal(erasedId, restored.DeviceId);
            var refused = await restored.Client.SyncAsync();
            Assert.Equal((SyncStatus.Refused, 410, 0), (refused.Status, refused.HttpStatus, refused.EventsSent));
            Assert.NotEqual(erasedId, restored.DeviceId); // a new identity took over; the old events stay on the device, unsent
            Assert.Equal(0, restored.Client.UnsyncedEvents);
            restored.Track(5, "after-restore");
            var next = await restored.Client.SyncAsync();
            Assert.Equal((SyncStatus.Completed, 5), (next.Status, next.EventsSent));
        }
        Assert.DoesNotContain(server.StoredEvents(), e => e.UserId == server.StoredUser(erasedId, canary) || e.DeviceId == server.StoredDevice(erasedId));
        AssertAbsent(canary, ServerFiles(server));

        // A stranger holding the app key cannot take the erased id over: registering it is refused.
        using (var takeover = await server.SendRegistrationAsync(erasedId, ServerHost.NewSecret()))
        {
            Assert.Equal(HttpStatusCode.Gone, takeover.StatusCode);
        }
        // A fresh install works as ever.
        using var fresh = Device.Create(dir, server.Address);
        fresh.Track(20);
        var freshSync = await fresh.Client.SyncAsync();
        Assert.Equal((SyncStatus.Completed, 20), (freshSync.Status, freshSync.EventsSent));
    }

    [Fact]
    public async Task Offline_erase_is_owed_across_a_restart_and_done_at_the_next_connection()
    {
        using var dir = new TempDirectory();
        using var serverData = new TempDirectory();
        var first = await ServerHost.StartAsync(dataDirectory: serverData.Path);
        int port = first.Address.Port;
        string canary = Canary();
        string path = dir.File("device/store.db");
        string erasedId;
        using (var device = Device.Open(path, first.Address))
        {
            TrackCanary(device, canary, 100);
            Assert.Equal(100, (await device.Client.SyncAsync()).EventsSent);
            erasedId = device.DeviceId;
            await first.DisposeAsync(); // the server goes away: the device is offline

            device.Client.EraseAllData();
            var offline = await device.Client.SyncAsync();

            Assert.Equal((SyncStatus.Unreachable, 0, 1), (offline.Status, offline.ErasedOnServer, offline.ErasuresPending));
            Assert.True(File.Exists(path + ".erase"));
            AssertAbsent(canary, DeviceFiles(path));
        }
        // The app restarts; the server is back.
        await using var server = await ServerHost.StartAsync(port: port, dataDirectory: serverData.Path);
        Assert.Equal(100, server.StoredEvents().Count(e => e.DeviceId == server.StoredDevice(erasedId)));
        using (var device = Device.Open(path, server.Address))
        {
            var online = await device.Client.SyncAsync();
            Assert.Equal((SyncStatus.Completed, 1, 0), (online.Status, online.ErasedOnServer, online.ErasuresPending));
        }
        Assert.Empty(server.StoredEvents());
        Assert.False(File.Exists(path + ".erase"));
        AssertAbsent(canary, ServerFiles(server));
        AssertAbsent(erasedId, ServerFiles(server));
        AssertAbsent(canary, DeviceFiles(path));
    }

    internal static string Canary() => "canary-" + Guid.NewGuid().ToString("N");

    internal static void TrackCanary(Device device, string canary, int count)
    {
        for (int i = 0; i < count; i++)
        {
            device.Client.Track(canary, $"game-{i % 17}", EventType.Play);
        }
        device.Client.Flush();
    }

    internal static IEnumerable<string> ServerFiles(ServerHost server) => Directory.EnumerateFiles(server.DataDirectory, "feedback.db*");

    internal static IEnumerable<string> DeviceFiles(string databasePath) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(databasePath)!, Path.GetFileName(databasePath) + "*");

    /// <summary>Fails when any of <paramref name="files"/> holds <paramref name="text"/> (UTF-8), read raw as bytes.</summary>
    internal static void AssertAbsent(string text, IEnumerable<string> files)
    {
        byte[] needle = Encoding.UTF8.GetBytes(text);
        var checkedFiles = files.ToList();
        Assert.NotEmpty(checkedFiles);
        foreach (string file in checkedFiles)
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"'{text}' is still in {file}");
        }
    }
}

/// <summary>The same erasure on the PostgreSQL store: nothing of the erased identity in a dump of the database, a restored backup stores nothing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEraseThatStaysErasedTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Erase_on_postgresql_leaves_no_trace_in_a_dump_and_a_restored_backup_stores_nothing()
    {
        using var dir = new TempDirectory();
        string database = postgres.NewDatabase();
        await using var server = await ServerHost.StartAsync(o => (o.Store, o.ConnectionString) = ("postgresql", database));
        string canary = EraseThatStaysErasedTests.Canary();
        using var other = Device.Create(dir, server.Address);
        other.Track(30);
        Assert.Equal(SyncStatus.Completed, (await other.Client.SyncAsync()).Status);
        string path = dir.File("device/store.db");
        string erasedId;
        using (var device = Device.Open(path, server.Address))
        {
            EraseThatStaysErasedTests.TrackCanary(device, canary, 100);
            device.Client.SetUserAttribute(canary, "platform", "ios");
            StoreFiles.Copy(path, dir.File("backup/store.db"));
            erasedId = device.DeviceId;
            Assert.Equal(100, (await device.Client.SyncAsync()).EventsSent);
            Assert.Contains(server.StoredUser(erasedId, canary), postgres.Dump(database), StringComparison.Ordinal);

            var erased = await device.Client.EraseAllDataAsync();
            Assert.Equal((SyncStatus.Completed, 1, 0), (erased.Status, erased.ErasedOnServer, erased.ErasuresPending));
        }
        string dump = postgres.Dump(database);
        Assert.DoesNotContain(canary, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(erasedId, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(server.StoredUser(erasedId, canary), dump, StringComparison.Ordinal);
        Assert.DoesNotContain(server.StoredDevice(erasedId), dump, StringComparison.Ordinal);

        string restoredPath = dir.File("restored/store.db");
        StoreFiles.Copy(dir.File("backup/store.db"), restoredPath);
        using (var restored = Device.Open(restoredPath, server.Address))
        {
            var refused = await restored.Client.SyncAsync();
            Assert.Equal((SyncStatus.Refused, 410, 0), (refused.Status, refused.HttpStatus, refused.EventsSent));
        }
        Assert.DoesNotContain(canary, postgres.Dump(database), StringComparison.Ordinal);
        var stats = await server.StatsAsync();
        Assert.Equal(30, stats.Events);

        using var fresh = Device.Create(dir, server.Address);
        fresh.Track(20);
        var freshSync = await fresh.Client.SyncAsync();
        Assert.Equal((SyncStatus.Completed, 20), (freshSync.Status, freshSync.EventsSent));
    }
}
