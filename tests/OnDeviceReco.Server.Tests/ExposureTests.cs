using System.Net;
using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Exploration against the population (issue 17): devices sync impressions, the server counts per item on how many
/// devices it was shown and signs the table, and a device verifies it, keeps it and explores where the population knows
/// least — what other devices already tried it leaves alone. A table nobody trusted signed is never used.
/// </summary>
public sealed class ExposureTests
{
    private static readonly RingGames Ring = new(40);

    private static readonly RecommendOptions Exploring = new() { Exploration = 0.5, ExplorationStrategy = ExplorationStrategy.UpperConfidence };

    [Fact]
    public async Task The_server_counts_each_device_that_showed_an_item_once_and_only_impressions()
    {
        await using var server = await ServerHost.StartAsync(o => o.ExposureRefresh = TimeSpan.Zero);
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        for (int d = 0; d < 3; d++)
        {
            using var device = RingGames.OpenDevice(directory, server, trustedKey, $"shows-{d}");
            for (int u = 0; u < 5; u++)
            {
                // Five users, shown it twice each: one device. Invented user ids cannot inflate the count.
                device.Track($"user-{u}", Ring.Game(1), EventType.Impression);
                device.Track($"user-{u}", Ring.Game(1), EventType.Impression);
            }
            if (d == 0)
            {
                device.Track("user-0", Ring.Game(2), EventType.Impression);
                device.Track("user-0", Ring.Game(3), EventType.Play); // played, never shown: no exposure
            }

            var sync = await device.SyncAsync();

            Assert.Equal(SyncStatus.Completed, sync.Status);
            Assert.Equal(2, sync.ExposureItems);
        }

        string deviceId = Guid.NewGuid().ToString("N");
        string token = await server.RegisterAsync(deviceId, ServerHost.NewSecret());
        using var response = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/exposure", deviceId, token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var table = SignedExposure.Open(await response.Content.ReadAsByteArrayAsync(), new BundleVerifier([trustedKey]));
        Assert.Equal(new Dictionary<string, int> { [Ring.Game(1)] = 3, [Ring.Game(2)] = 1 }, table.ShownTo);

        // Conditional requests: the tag the server sent gets 304 and no body; any other tag the table.
        string entityTag = response.Headers.ETag!.ToString();
        using var conditional = ServerHost.DeviceRequest(HttpMethod.Get, "v1/exposure", deviceId, token);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", entityTag);
        using var notModified = await server.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        using var stale = ServerHost.DeviceRequest(HttpMethod.Get, "v1/exposure", deviceId, token);
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"0123\"");
        using var changed = await server.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        using var anonymous = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/exposure", deviceId, null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var keyless = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/exposure", deviceId, token, apiKey: null));
        Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);
    }

    [Fact]
    public async Task Exploration_leaves_what_the_population_was_shown_and_keeps_doing_so_after_a_restart()
    {
        await using var server = await ServerHost.StartAsync(o => o.ExposureRefresh = TimeSpan.Zero);
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        var explorer = OpenExplorer(directory, server, trustedKey);
        var before = ExplorationPicks(explorer);
        Assert.Equal(5, before.Count);
        Assert.Equal(before, ExplorationPicks(explorer)); // repeatable: what changes below is the table's doing

        // Thirty other devices showed exactly those items.
        for (int d = 0; d < 30; d++)
        {
            using var other = RingGames.OpenDevice(directory, server, trustedKey, $"other-{d}");
            foreach (string item in before)
            {
                other.Track("player", item, EventType.Impression);
            }
            Assert.Equal(SyncStatus.Completed, (await other.SyncAsync()).Status);
        }
        var sync = await explorer.SyncAsync();
        Assert.Equal(SyncStatus.Completed, sync.Status);
        Assert.Equal(5, sync.ExposureItems);

        var after = ExplorationPicks(explorer);
        Assert.Equal(5, after.Count);
        var kept = after.Intersect(before).ToList();
        Assert.True(kept.Count <= 1, $"kept {string.Join(", ", kept)} of {string.Join(", ", before)}; now {string.Join(", ", after)}");

        // Offline after a restart the kept table, verified again, still steers exploration.
        explorer.Dispose();
        explorer = OpenExplorer(directory, server, trustedKey, sync: false);
        Assert.Equal(after, ExplorationPicks(explorer));
        explorer.Dispose();

        // A kept table changed on disk (one byte) is refused, deleted, and exploration goes back to what it knows alone.
        string keptTable = Directory.EnumerateFiles(Path.Combine(directory.Path, "explorer"), "exposure.odr", SearchOption.AllDirectories).Single();
        byte[] bytes = await File.ReadAllBytesAsync(keptTable);
        bytes[^10] ^= 0x40;
        await File.WriteAllBytesAsync(keptTable, bytes);
        explorer = OpenExplorer(directory, server, trustedKey, sync: false);
        Assert.Equal(before, ExplorationPicks(explorer));
        Assert.False(File.Exists(keptTable));
        explorer.Dispose();
    }

    [Fact]
    public async Task A_device_downloads_the_table_once_while_it_does_not_change_and_again_when_it_does()
    {
        await using var server = await ServerHost.StartAsync(o => o.ExposureRefresh = TimeSpan.Zero);
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        using var device = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = directory.File("device/store.db") },
            InitialConsent = ConsentState.Granted,
            TrustedModelKeys = [trustedKey],
            Sync = Device.FastSync(proxy.Address),
        });
        device.Track("u", Ring.Game(1), EventType.Impression);

        Assert.Equal(1, (await device.SyncAsync()).ExposureItems);
        Assert.Equal(1, (await device.SyncAsync()).ExposureItems); // the table in use, not downloaded again
        device.Track("u", Ring.Game(2), EventType.Impression);
        Assert.Equal(2, (await device.SyncAsync()).ExposureItems);

        var answers = proxy.Log.Where(r => r.Path == "/v1/exposure").ToList();
        Assert.Equal([200, 304, 200], answers.Select(r => r.UpstreamStatus));
    }

    [Fact]
    public async Task A_server_clock_set_back_does_not_freeze_the_table()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await ServerHost.StartAsync(o => o.ExposureRefresh = TimeSpan.FromMilliseconds(200), clock: clock);
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        using var first = RingGames.OpenDevice(directory, server, trustedKey, "first");
        first.Track("u", Ring.Game(1), EventType.Impression);
        Assert.Equal(1, (await first.SyncAsync()).ExposureItems);

        clock.Advance(TimeSpan.FromDays(-1)); // the server's wall clock jumps back a day
        using var second = RingGames.OpenDevice(directory, server, trustedKey, "second");
        second.Track("u", Ring.Game(2), EventType.Impression);
        await Task.Delay(TimeSpan.FromMilliseconds(400)); // longer than ExposureRefresh in real time

        Assert.Equal(2, (await second.SyncAsync()).ExposureItems);
    }

    [Fact]
    public async Task A_device_that_does_not_trust_the_servers_key_ignores_its_table()
    {
        await using var server = await ServerHost.StartAsync(o => o.ExposureRefresh = TimeSpan.Zero);
        using var directory = new TempDirectory();
        using (var others = RingGames.OpenDevice(directory, server, await server.ModelKeyAsync(), "others"))
        {
            others.Track("u", Ring.Game(1), EventType.Impression);
            Assert.Equal(1, (await others.SyncAsync()).ExposureItems);
        }
        using var stranger = BundleSigner.CreateKey();
        using var device = RingGames.OpenDevice(directory, server, BundleSigner.ExportPublicKeyPem(stranger), "distrustful");

        var sync = await device.SyncAsync();

        Assert.Equal(SyncStatus.Completed, sync.Status); // the events synced; only the table was refused
        Assert.Null(sync.ExposureItems);
        Assert.DoesNotContain(Directory.EnumerateFiles(directory.Path, "exposure.odr", SearchOption.AllDirectories),
            f => f.Contains("distrustful", StringComparison.Ordinal));
    }

    /// <summary>A device without a model whose app ranks the ring's games by popularity; exploration draws from the better half.</summary>
    private static RecoClient OpenExplorer(TempDirectory directory, ServerHost server, string trustedKey, bool sync = true) => new(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = directory.File("explorer/store.db") },
        InitialConsent = ConsentState.Granted,
        TrustedModelKeys = [trustedKey],
        PopularItems = Enumerable.Range(0, Ring.Count).Select(Ring.Game).ToList(),
        Sync = sync ? Device.FastSync(server.Address) : Device.FastSync(new Uri("http://127.0.0.1:9/")),
    });

    private static List<string> ExplorationPicks(RecoClient explorer) =>
        explorer.Recommend("explorer", 10, Exploring).Where(r => r.IsExploration).Select(r => r.ItemId).Order(StringComparer.Ordinal).ToList();
}
