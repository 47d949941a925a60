using Npgsql;
using OnDeviceReco.Server.Tests.Support;
using Xunit.Abstractions;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Issue 15: many server nodes on one PostgreSQL. Three real server processes share a throwaway PostgreSQL and
/// two secrets; devices know all three addresses. One node is SIGKILLed while devices upload, another while it
/// retrains: nothing is lost or stored twice, each model version is published once, the last node standing
/// takes over training, and every device ends on the newest model.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiNodeTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int DeviceCount = 12;
    private const int EventsPerPhase = 100;
    private const int Games = 30;

    [Fact]
    public async Task Three_nodes_lose_nothing_when_one_dies_mid_ingest_and_another_mid_retraining()
    {
        string database = postgres.NewDatabase();
        using var dir = new TempDirectory();
        string secrets = dir.File("secrets");
        Directory.CreateDirectory(secrets);
        var settings = (string name) => new Dictionary<string, string>
        {
            ["Store"] = "postgresql",
            ["ConnectionString"] = database,
            ["ApiKeys:0"] = ServerHost.ApiKey,
            ["AdminKey"] = ServerHost.AdminKey,
            ["DataDirectory"] = dir.File($"node-{name}"),
            ["SecretsDirectory"] = secrets,
            ["DeviceRequestsPerSecond"] = "10000",
            ["DeviceRequestBurst"] = "10000",
            ["RegistrationsPerAddressPerMinute"] = "100000",
            ["RegistrationBurstPerAddress"] = "100000",
            ["Retraining:MinNewEvents"] = $"{DeviceCount * EventsPerPhase + 1}", // only after the second phase
            ["Retraining:CheckInterval"] = "00:00:00.300",
            ["Retraining:MaxEpochs"] = "3",
            ["Retraining:Threads"] = "1",
            // A few devices with items of their own: this test is about nodes, not about k-anonymity (KAnonymousTablesTests).
            ["Privacy:MinDevices"] = "1",
            ["Privacy:NoiseScale"] = "0",
        };
        // The first node creates the shared secrets; the others start after it.
        using var a = await ServerNode.StartAsync("a", settings("a"));
        using var b = await ServerNode.StartAsync("b", settings("b"));
        using var c = await ServerNode.StartAsync("c", settings("c"));
        ServerNode[] nodes = [a, b, c];
        string trustedKey = await File.ReadAllTextAsync(Path.Combine(secrets, "signing-key.pem.pub"));
        var devices = Enumerable.Range(0, DeviceCount).Select(i => OpenDevice(dir, i, nodes, trustedKey)).ToList();
        try
        {
            // Phase 1: everyone uploads in small batches; node a dies in the middle of it.
            TrackPhase(devices, phase: 0);
            var uploads = devices.Select(d => Task.Run(() => d.SyncAsync())).ToList();
            await Task.Delay(150);
            a.Kill();
            output.WriteLine($"node a killed; {uploads.Count(u => u.IsCompleted)} of {DeviceCount} uploads had finished");
            await Task.WhenAll(uploads);
            await SyncUntilDoneAsync(devices);
            AssertExactlyOnce(database, secrets, devices);

            // Phase 2: more events cross the retraining threshold; the node that starts training dies at once.
            TrackPhase(devices, phase: 1);
            await SyncUntilDoneAsync(devices);
            AssertExactlyOnce(database, secrets, devices);
            var trainer = await FirstToLogAsync([b, c], "Retraining:", TimeSpan.FromSeconds(60));
            trainer.Kill();
            var survivor = trainer == b ? c : b;
            output.WriteLine($"node {trainer.Name} killed while retraining; {survivor.Name} must take over");

            Assert.True(await survivor.WaitForLineAsync("Published model v", TimeSpan.FromMinutes(3)),
                $"The survivor did not publish: {string.Join('\n', survivor.Lines.TakeLast(20))}");
            var models = Query(database, "SELECT version, published, package IS NOT NULL FROM models ORDER BY version",
                r => (Version: r.GetInt64(0), Published: r.GetBoolean(1), HasPackage: r.GetBoolean(2)));
            Assert.Equal(models.Select(m => m.Version).Distinct().Count(), models.Count);
            Assert.All(models.Where(m => m.Published), m => Assert.True(m.HasPackage));
            long serving = Query(database, "SELECT value FROM state WHERE key = 'serving_version'", r => r.GetInt64(0)).Single();
            Assert.Equal(models.Where(m => m.Published).Max(m => m.Version), serving);

            // Every device ends on the newest model, through whichever node still answers.
            foreach (var device in devices)
            {
                var result = await device.SyncAsync();
                Assert.True(result.Status == SyncStatus.Completed, $"{result}");
                Assert.Equal(serving, device.Model?.ModelVersion);
            }
            AssertExactlyOnce(database, secrets, devices);
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
            foreach (var node in nodes)
            {
                output.WriteLine($"--- node {node.Name}\n{string.Join('\n', node.Lines.TakeLast(15))}");
            }
        }
    }

    private static RecoClient OpenDevice(TempDirectory dir, int index, ServerNode[] nodes, string trustedKey)
    {
        var primary = nodes[index % nodes.Length];
        return new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = dir.File($"device-{index}/store.db"), FlushInterval = TimeSpan.FromMilliseconds(50) },
            InitialConsent = ConsentState.Granted,
            TrustedModelKeys = [trustedKey],
            Sync = Device.FastSync(primary.Address) with
            {
                AlternateServerUris = nodes.Where(n => n != primary).Select(n => n.Address).ToList(),
                MaxBatchEvents = 10,
                RequestTimeout = TimeSpan.FromSeconds(2),
            },
        });
    }

    /// <summary>Each device's player walks a ring of games (after game i comes i+1): something a model can learn.</summary>
    private static void TrackPhase(IEnumerable<RecoClient> devices, int phase)
    {
        int d = 0;
        foreach (var device in devices)
        {
            int start = d++ * 7 + phase * EventsPerPhase;
            for (int i = 0; i < EventsPerPhase; i++)
            {
                device.Track("player", $"game-{(start + i) % Games}", EventType.Play,
                    timestamp: DateTimeOffset.UtcNow.AddMinutes(i - 2 * EventsPerPhase));
            }
            device.Flush();
        }
    }

    private static async Task SyncUntilDoneAsync(IEnumerable<RecoClient> devices)
    {
        await Task.WhenAll(devices.Select(device => Task.Run(async () =>
        {
            for (int round = 0; round < 20; round++)
            {
                var result = await device.SyncAsync();
                if (result.Status == SyncStatus.Completed && device.UnsyncedEvents == 0)
                {
                    return;
                }
                Assert.True(result.Status is SyncStatus.Completed or SyncStatus.Unreachable, $"A dead node must never look permanent: {result}");
            }
            Assert.Fail($"Device {device.DeviceId} still has {device.UnsyncedEvents} unsynced events after 20 syncs.");
        })));
    }

    private static void AssertExactlyOnce(string database, string secrets, IEnumerable<RecoClient> devices)
    {
        // Every node names a device alike: the pseudonym under the key in the secrets directory they share.
        var names = OnDeviceReco.Server.Privacy.PseudonymKeys.LoadOrCreate(secrets, 1);
        var expected = devices.SelectMany(d => d.Store.GetEvents(0, 100_000).Select(e => (names.Device(d.DeviceId), e.Sequence, e.ItemId))).ToHashSet();
        var stored = Query(database, "SELECT d.device_id, e.seq, e.item_id FROM events e JOIN devices d ON d.id = e.device",
            r => (r.GetString(0), r.GetInt64(1), r.GetString(2)));
        Assert.Equal(expected.Count, stored.Count);
        Assert.True(expected.SetEquals(stored), $"{expected.Except(stored).Count()} lost, {stored.Except(expected).Count()} unexpected");
    }

    private static async Task<ServerNode> FirstToLogAsync(ServerNode[] candidates, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (candidates.FirstOrDefault(n => n.Lines.Any(l => l.Contains(text, StringComparison.Ordinal))) is { } found)
            {
                return found;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"No node logged '{text}' within {timeout}.");
    }

    private static List<T> Query<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
