using System.Text;
using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Cohorts;
using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Server.Privacy;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// With the default privacy settings (k = 20 devices, Laplace noise of scale 2), a store where one device alone played an
/// item, was shown one, searched something and holds an attribute value: none of it is in anything the server ships —
/// the signed bundle (item list, popularity list, cohort table, model), the exposure table, the onboarding questions a
/// device picks from them — while what 45 devices share is there, every count at least k, and the manifest says k and b.
/// </summary>
public sealed class KAnonymousTablesTests
{
    // Far enough above k that the noise cannot drop a shared cell: with 30 devices each of the ~12 shared cells fell below
    // k with P(Laplace(2) < -10) = e^-5 / 2 = 0.34 %, about 4 % of runs; at 45, P(< -25) = e^-12.5 / 2 per cell.
    private const int Devices = 45;
    private static readonly RingGames Ring = new(20);

    [Fact]
    public async Task What_one_device_alone_did_appears_in_nothing_the_server_ships()
    {
        await using var server = await ServerHost.StartAsync(options =>
        {
            options.Privacy = new PrivacyOptions(); // the defaults
            options.ExposureRefresh = TimeSpan.Zero; // counted afresh for the newcomer, after every device synced
            options.Retraining.Enabled = true;
            options.Retraining.MinNewEvents = Devices * 51 + 5; // every event below, so the run sees all of them
            options.Retraining.CheckInterval = TimeSpan.FromMilliseconds(200);
            options.Retraining.MaxEpochs = 20; // far above popularity (the gate must publish), whatever the random device ids do to batches
            options.Retraining.Threads = 2;
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        for (int d = 0; d < Devices; d++)
        {
            using var device = RingGames.OpenDevice(directory, server, trustedKey, $"device-{d}");
            device.SetUserAttribute("player", "platform", "ios");
            device.Track("player", "racing", EventType.Search, timestamp: DateTimeOffset.UtcNow.AddMinutes(-70));
            for (int i = 0; i < 10; i++)
            {
                device.Track("player", Ring.Game(i), EventType.Impression, timestamp: DateTimeOffset.UtcNow.AddMinutes(-65));
            }
            for (int i = 0; i < 40; i++)
            {
                device.Track("player", Ring.Game(d + i), EventType.Play, timestamp: DateTimeOffset.UtcNow.AddMinutes(i - 60));
            }
            if (d == 0)
            {
                device.SetUserAttribute("player", "club", "lonely-club");
                device.Track("player", "lonely-search", EventType.Search, timestamp: DateTimeOffset.UtcNow.AddMinutes(-70));
                device.Track("player", "lonely-shown", EventType.Impression, timestamp: DateTimeOffset.UtcNow.AddMinutes(-65));
                for (int i = 0; i < 3; i++)
                {
                    device.Track("player", "lonely-game", EventType.Play, timestamp: DateTimeOffset.UtcNow.AddSeconds(i - 30));
                }
            }
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
        }
        await WaitForServingAsync(server, TimeSpan.FromMinutes(4));

        using var newcomer = RingGames.OpenDevice(directory, server, trustedKey, "newcomer");
        var sync = await newcomer.SyncAsync();
        Assert.True(sync.ModelUpdated);
        Assert.Equal(10, sync.ExposureItems); // games 0–9 were shown on every device; lonely-shown on one

        var files = Directory.EnumerateFiles(directory.File("newcomer"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("store.db", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.EndsWith(BundleFileNames.CohortPopularity, StringComparison.Ordinal));
        foreach (string file in files)
        {
            Assert.DoesNotContain("lonely", Encoding.Latin1.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }

        var verifier = new BundleVerifier([trustedKey]);
        string bundleDirectory = Path.GetDirectoryName(files.Single(f => f.EndsWith(BundleFileNames.Manifest, StringComparison.Ordinal)))!;
        Assert.True(verifier.TryVerify(bundleDirectory, out var bundle, out _));
        var manifest = bundle.Manifest;
        Assert.DoesNotContain(manifest.Items, i => i.Id.Contains("lonely", StringComparison.Ordinal));
        Assert.Equal(Ring.Count, manifest.Items.Count);
        Assert.DoesNotContain(manifest.Popularity, id => id.Contains("lonely", StringComparison.Ordinal));
        Assert.Equal(20, manifest.Metrics!["privacy_min_devices"]);
        Assert.Equal(2, manifest.Metrics["privacy_noise_scale"]);

        var cohorts = CohortTableFormat.Decode(bundle.Files[BundleFileNames.CohortPopularity], [.. manifest.Items.Select(i => i.Id)]);
        Assert.Equal(["attr:platform=ios", "search:racing"], cohorts.Cohorts.Keys.Order(StringComparer.Ordinal));
        Assert.All(cohorts.Cohorts.Values, c => Assert.True(c.Users >= 20, $"{c.Label}: {c.Users} devices"));

        var exposure = SignedExposure.Open(File.ReadAllBytes(files.Single(f => f.EndsWith("exposure.odr", StringComparison.Ordinal))), verifier);
        Assert.Equal(Enumerable.Range(0, 10).Select(Ring.Game).Order(StringComparer.Ordinal), exposure.ShownTo.Keys.Order(StringComparer.Ordinal));
        Assert.All(exposure.ShownTo.Values, count => Assert.True(count >= 20, $"{count} < k"));

        var onboarding = newcomer.ProposeOnboardingItems("new-player", 10);
        Assert.NotEmpty(onboarding);
        Assert.DoesNotContain(onboarding, o => o.ItemId.Contains("lonely", StringComparison.Ordinal));
    }

    private static async Task WaitForServingAsync(ServerHost server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await server.StatsAsync()) is var stats && stats.ServingVersion != 1)
        {
            Assert.Null(stats.LastRetrainingError);
            Assert.True(DateTime.UtcNow < deadline, $"Timed out; last stats: {stats}");
            await Task.Delay(200);
        }
    }
}

/// <summary>The rule itself: k, the noise's size and sign, and that the same cell always gets the same noise.</summary>
public sealed class ShippedCountsTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Below_k_never_ships_and_the_noise_is_laplace_of_the_configured_scale_and_repeatable()
    {
        var rule = new ShippedCounts(new PrivacyOptions { MinDevices = 20, NoiseScale = 2 }, Key);
        Assert.All(Enumerable.Range(0, 20), n => Assert.Null(rule.Noisy("t", "item", n)));

        var noise = Enumerable.Range(0, 20_000).Select(i => rule.Noisy("t", $"item-{i}", 1_000)!.Value - 1_000.0).ToList();
        double meanAbs = noise.Average(Math.Abs); // E|X| = b for Laplace(0, b); rounding adds a little
        Assert.InRange(meanAbs, 1.9, 2.2);
        Assert.InRange(noise.Average(), -0.1, 0.1);
        Assert.Equal(rule.Noisy("t", "item-7", 1_000), rule.Noisy("t", "item-7", 1_000)); // downloading again gives the same
        Assert.True(noise.Distinct().Count() > 10);

        var exact = new ShippedCounts(new PrivacyOptions { MinDevices = 1, NoiseScale = 0 }, Key);
        Assert.Equal(7, exact.Noisy("t", "item", 7));
        // Another key, other noise: without the server's key a device cannot compute (and subtract) it.
        var other = new ShippedCounts(new PrivacyOptions { MinDevices = 20, NoiseScale = 2 }, [.. Key.Reverse()]);
        Assert.NotEqual(noise.Take(50), Enumerable.Range(0, 50).Select(i => other.Noisy("t", $"item-{i}", 1_000)!.Value - 1_000.0));
    }
}
