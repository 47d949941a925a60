using OnDeviceReco.Server.Tests.Support;
using Xunit.Abstractions;

namespace OnDeviceReco.Server.Tests;

/// <summary>Scenario 5: many devices sync at once, half of them through a proxy injecting random faults.</summary>
public sealed class ConcurrentDevicesTests(ITestOutputHelper output)
{
    private const int DeviceCount = 40;
    private const int EventsPerDevice = 300;

    [Fact]
    public async Task Forty_devices_syncing_at_once_through_random_faults_store_every_event_exactly_once()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        proxy.SlowDelay = TimeSpan.FromSeconds(2);
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        Fault[] faults =
        [
            Fault.Error500BeforeForward, Fault.AckLost500, Fault.ResetMidUpload, Fault.DuplicateDelivery, Fault.DuplicateConcurrent,
            Fault.Unavailable503, Fault.Drop, Fault.SlowResponse, Fault.TooManyRequests429,
        ];
        proxy.Targets = _ => true; // registration and model requests too
        proxy.Chooser = _ =>
        {
            lock (random)
            {
                return random.NextDouble() < 0.35 ? faults[random.Next(faults.Length)] : Fault.Pass;
            }
        };

        var devices = Enumerable.Range(0, DeviceCount)
            .Select(i => Device.Create(dir, i % 2 == 0 ? proxy.Address : server.Address, s => s with { RequestTimeout = TimeSpan.FromSeconds(1) }))
            .ToList();
        try
        {
            var started = DateTime.UtcNow;
            var rounds = await Task.WhenAll(devices.Select(device => Task.Run(async () =>
            {
                // Half the events before the first sync, half while it runs.
                device.Track(EventsPerDevice / 2, "early");
                var first = device.Client.SyncAsync();
                device.Track(EventsPerDevice / 2, "late");
                var result = await first;
                int round = 1;
                while (result.Status != SyncStatus.Completed || device.Unsynced > 0)
                {
                    Assert.True(round < 20, $"Device {device.DeviceId} still not synced after {round} syncs: {result}");
                    Assert.True(result.Status is SyncStatus.Completed or SyncStatus.Unreachable, $"Faults must never look permanent: {result}");
                    result = await device.Client.SyncAsync();
                    round++;
                }
                return round;
            })));
            var elapsed = DateTime.UtcNow - started;

            Assert.All(devices, d => Assert.Equal(0, d.Unsynced));
            var expected = devices.SelectMany(d => d.StoredEvents()).ToList();
            Assert.Equal(DeviceCount * EventsPerDevice, expected.Count);
            await Ledger.AssertExactlyOnceAsync(server, expected);
            var stats = await server.StatsAsync();
            Assert.Equal(DeviceCount, stats.Devices);

            var injected = proxy.Log.GroupBy(r => r.Fault).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
            output.WriteLine($"{elapsed.TotalSeconds:0.0} s; syncs per device max {rounds.Max()}, total {rounds.Sum()}; " +
                             $"proxy requests {proxy.Log.Count}: {string.Join(" ", injected)}; " +
                             $"server batches {stats.Batches}, replayed {stats.ReplayedBatches}, already stored {stats.AlreadyStored}, rejected {stats.RejectedRequests}");
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }
}
