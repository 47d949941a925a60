using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// A device whose store is restored from a backup keeps its id while its sequence counter goes back, so the events it
/// records next carry numbers the server already holds for other events. Real store files copied and restored, real
/// server, real device: nothing is lost (the server reports those numbers as conflicting, the device numbers the events
/// anew and sends them again) and nothing is stored twice (events the backup still had pending and the server already
/// holds stay already stored). A device that does not ask for conflicts gets the acknowledgement it always got.
/// </summary>
public sealed class EventRestoreTests
{
    [Theory]
    [InlineData(50)]
    [InlineData(3)] // many batches: conflicts found batch by batch, read-ahead batches in flight
    public async Task A_store_restored_from_a_backup_loses_none_of_its_new_events_and_stores_none_twice(int batchEvents)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        string path = dir.File($"device-{Guid.NewGuid():N}/store.db");
        string backup = dir.File("backup/store");
        var tracked = new List<string>();
        string deviceId;
        using (var device = Open(path, server, batchEvents))
        {
            deviceId = device.DeviceId;
            tracked.AddRange(device.Track(10, "synced"));                      // 1..10
            Assert.Equal(SyncStatus.Completed, (await device.Client.SyncAsync()).Status);
            tracked.AddRange(device.Track(5, "pending-at-backup"));            // 11..15, not synced yet
        }
        StoreFiles.Copy(path, backup); // the operating system's backup of the app's files

        using (var device = Open(path, server, batchEvents))
        {
            tracked.AddRange(device.Track(10, "after-backup"));                // 16..25
            var sync = await device.Client.SyncAsync();
            Assert.Equal((SyncStatus.Completed, 15, 0), (sync.Status, sync.EventsSent, sync.EventsRenumbered));
        }
        Assert.Equal(25, server.StoredEvents().Count);

        StoreFiles.Copy(backup, path); // restored: same id and secret, 11..15 pending again, the counter back at 15
        using (var restored = Open(path, server, batchEvents))
        {
            Assert.Equal(deviceId, restored.DeviceId);
            Assert.Equal(5, restored.Unsynced);
            var afterRestore = restored.Track(8, "after-restore");             // numbered 16..23: the server holds those
            tracked.AddRange(afterRestore);

            var sync = await restored.Client.SyncAsync();

            Assert.True(sync.Status == SyncStatus.Completed, $"{sync.Status}: {sync.Error}");
            Assert.Equal(8, sync.EventsRenumbered);
            Assert.Equal(13, sync.EventsSent);              // 5 resent (already there) + 8 under new numbers
            Assert.Equal(5, sync.EventsAlreadyOnServer);
            Assert.Equal(0, restored.Unsynced);
            // Renumbered above the server's highest (25), in the order they were recorded.
            var numbers = restored.StoredEvents().Where(e => e.ItemId.Contains("after-restore", StringComparison.Ordinal)).Select(e => e.Sequence).ToList();
            Assert.Equal([26L, 27, 28, 29, 30, 31, 32, 33], numbers);

            // The counter moved past the server's numbers too: the next events land at once.
            tracked.AddRange(restored.Track(4, "later"));
            var later = await restored.Client.SyncAsync();
            Assert.Equal((SyncStatus.Completed, 4, 0, 0), (later.Status, later.EventsSent, later.EventsRenumbered, later.EventsAlreadyOnServer));
        }

        var stored = server.StoredEvents();
        Assert.Equal(tracked.Count, stored.Count);
        Assert.Equal(tracked.Order(StringComparer.Ordinal), stored.Select(e => e.ItemId).Order(StringComparer.Ordinal));
        Assert.Equal(stored.Count, stored.Select(e => e.Sequence).Distinct().Count());
        Assert.All(stored, e => Assert.Equal(server.StoredDevice(deviceId), e.DeviceId));
        // Content as tracked (Device.Track: user-{i % 3}, type 1 + i % 8 for the i-th item of a call).
        Assert.All(stored, e =>
        {
            int i = int.Parse(e.ItemId[(e.ItemId.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal((server.StoredUser(deviceId, $"user-{i % 3}"), 1 + i % 8), (e.UserId, e.Type));
        });
    }

    [Fact]
    public async Task Only_a_device_that_asks_hears_of_conflicts_and_others_get_the_five_fields_they_read()
    {
        await using var server = await ServerHost.StartAsync();
        string deviceId = $"device-{Guid.NewGuid():N}";
        string token = await server.RegisterAsync(deviceId, ServerHost.NewSecret());
        await PostAsync(server, deviceId, token, Events(deviceId, 1, 5, "before"), asksForConflicts: true);
        var restored = Events(deviceId, 3, 5, "after-restore"); // 3..5 held with other items, 6..7 new

        var old = await PostAsync(server, deviceId, token, restored, asksForConflicts: false);
        var asking = await PostAsync(server, deviceId, token, restored, asksForConflicts: true); // the same batch: a replay

        Assert.Equal(new BatchAck(restored.BatchId, 7, 2, 3, false), old);
        Assert.Equal(new BatchAck(restored.BatchId, 7, 0, 2, true, HighestSequence: 7, [3, 4, 5]), asking);
        Assert.Equal(7, server.StoredEvents().Count);
        Assert.Equal(3, server.StoredEvents().Count(e => e.ItemId.StartsWith("before", StringComparison.Ordinal) && e.Sequence >= 3));
    }

    private static EventBatch Events(string deviceId, long first, int count, string prefix)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return EventBatch.Create(deviceId, [.. Enumerable.Range(0, count)
            .Select(i => new WireEvent(first + i, now - 1_000 + i, "user-0", $"{prefix}-{first + i}", 3, 0, WireEvent.NoContext))]);
    }

    private static Device Open(string path, ServerHost server, int batchEvents) =>
        Device.Open(path, server.Address, sync => sync with { MaxBatchEvents = batchEvents });

    private static async Task<BatchAck> PostAsync(ServerHost server, string deviceId, string token, EventBatch batch, bool asksForConflicts)
    {
        using var request = ServerHost.DeviceRequest(HttpMethod.Post, "v1/events", deviceId, token, WireCodec.Encode(batch));
        if (asksForConflicts)
        {
            request.Headers.Add(BatchAck.ConflictsHeader, "1");
        }
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return WireCodec.DecodeAck(await response.Content.ReadAsByteArrayAsync());
    }
}
