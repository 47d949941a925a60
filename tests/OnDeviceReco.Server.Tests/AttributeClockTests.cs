using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// User attributes from devices whose clock or numbering is wrong, real store to real server: which change wins is
/// the change number, never the time; times are put on the server's clock (a device set decades back is not refused
/// at every sync); and a store restored from a backup — same device id, its change counter gone back — does not see
/// its newer values dropped by the server as old ones.
/// </summary>
public sealed class AttributeClockTests
{
    private static string? ServerValue(ServerHost server, string deviceId, string user, string key)
    {
        foreach (string candidate in new[] { "android", "ios", "web", "de", "fr" })
        {
            if (server.Scalar($"""
                SELECT count(*) FROM user_attributes a JOIN devices d ON d.id = a.device
                WHERE d.device_id = '{server.StoredDevice(deviceId)}' AND a.user_id = '{server.StoredUser(deviceId, user)}' AND a.key = '{key}' AND a.value = '{candidate}'
                """) == 1)
            {
                return candidate;
            }
        }
        return null;
    }

    private static long ServerTime(ServerHost server, string deviceId, string key) =>
        server.Scalar($"SELECT a.ts_ms FROM user_attributes a JOIN devices d ON d.id = a.device WHERE d.device_id = '{server.StoredDevice(deviceId)}' AND a.key = '{key}'");

    public static TheoryData<string, double> WrongClocks => new()
    {
        { "3 days ahead", TimeSpan.FromDays(3).TotalHours },
        { "5 years behind", -TimeSpan.FromDays(5 * 365).TotalHours },
        { "60 years behind (before 1970)", -TimeSpan.FromDays(60 * 365).TotalHours },
    };

    [Theory]
    [MemberData(nameof(WrongClocks))]
    public async Task A_device_with_a_wrong_clock_syncs_its_attributes_on_the_server_clock_and_the_last_change_wins(string what, double hours)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(hours));
        using var device = Device.Create(dir, server.Address, clock: clock);
        device.Client.SetUserAttribute("user-0", "platform", "android");
        device.Client.SetUserAttribute("user-0", "platform", "ios");
        device.Client.SetUserAttribute("user-0", "locale", "de");

        var wrong = await device.Client.SyncAsync();

        Assert.True(wrong.Status == SyncStatus.Completed, $"{what}: {wrong.Status} {wrong.Error}");
        Assert.Equal(0, device.Client.UnsyncedAttributeChanges);
        Assert.Equal("ios", ServerValue(server, device.DeviceId, "user-0", "platform"));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange(ServerTime(server, device.DeviceId, "platform"), now - 120_000, now + 120_000);

        // The clock is put right (a jump of years, back or forth): the change made after it still wins.
        clock.Advance(TimeSpan.FromHours(-hours));
        device.Client.SetUserAttribute("user-0", "platform", "web");
        Assert.Equal(1, (await device.Client.SyncAsync()).AttributeChangesSent);
        Assert.Equal("web", ServerValue(server, device.DeviceId, "user-0", "platform"));
        Assert.Equal("de", ServerValue(server, device.DeviceId, "user-0", "locale"));
    }

    [Fact]
    public async Task A_store_restored_from_a_backup_numbers_its_attributes_anew_and_its_newest_value_reaches_the_server()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        string path = dir.File($"device-{Guid.NewGuid():N}/store.db");
        string backup = dir.File("backup/store");
        string deviceId;
        using (var device = Device.Open(path, server.Address))
        {
            deviceId = device.DeviceId;
            device.Client.SetUserAttribute("user-0", "platform", "android"); // change 1
            await device.Client.SyncAsync();
        }
        StoreFiles.Copy(path, backup); // the operating system's backup of the app's files

        using (var device = Device.Open(path, server.Address))
        {
            device.Client.SetUserAttribute("user-0", "platform", "ios");       // change 2
            device.Client.SetUserAttribute("user-0", "locale", "fr");          // change 3
            await device.Client.SyncAsync();
        }
        Assert.Equal("ios", ServerValue(server, deviceId, "user-0", "platform"));

        StoreFiles.Copy(backup, path); // restored: same device id and secret, the change counter back at 1
        using (var restored = Device.Open(path, server.Address))
        {
            Assert.Equal(deviceId, restored.DeviceId);
            Assert.Equal("android", restored.Client.GetUserAttributes("user-0")["platform"]);
            restored.Client.SetUserAttribute("user-0", "platform", "web"); // numbered 2 again: the server holds 3

            var sync = await restored.Client.SyncAsync();

            Assert.Equal(SyncStatus.Completed, sync.Status);
            Assert.Equal(0, restored.Client.UnsyncedAttributeChanges);
            Assert.Equal("web", ServerValue(server, deviceId, "user-0", "platform"));
            // Later changes are numbered after the server's, so they land at once.
            restored.Client.SetUserAttribute("user-0", "platform", "android");
            Assert.Equal(1, (await restored.Client.SyncAsync()).AttributeChangesSent);
            Assert.Equal("android", ServerValue(server, deviceId, "user-0", "platform"));
        }
        // Left as it was: "locale" was set after the backup, so the restored store knows nothing of it and the server
        // keeps it (the app sets it again, or removes it, like any attribute it does not know it has).
        Assert.Equal("fr", ServerValue(server, deviceId, "user-0", "locale"));
    }
}
