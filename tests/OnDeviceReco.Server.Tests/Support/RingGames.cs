namespace OnDeviceReco.Server.Tests.Support;

/// <summary>
/// Players who follow a ring of games (after game i comes game i+1): a sequence a model learns in a few epochs, for
/// the tests that let a real server retrain on what real devices synced.
/// </summary>
internal sealed class RingGames(int games)
{
    public int Count => games;

    /// <summary>Game <paramref name="i"/> of the ring, any integer wrapping around.</summary>
    public string Game(int i) => $"game-{((i % games) + games) % games}";

    /// <summary>Where <paramref name="game"/> sits on the ring.</summary>
    public static int Number(string game) => int.Parse(game["game-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A device with consent that syncs to <paramref name="server"/> quickly and trusts its model key.</summary>
    public static RecoClient OpenDevice(TempDirectory directory, ServerHost server, string trustedKey, string name) => new(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = directory.File($"{name}/store.db") },
        InitialConsent = ConsentState.Granted,
        TrustedModelKeys = [trustedKey],
        Sync = Device.FastSync(server.Address) with { MaxBatchEvents = 500 },
    });

    /// <summary>
    /// Retraining that starts once all 60 players' 40 plays each (2,400, as <see cref="SyncPlayersAsync"/> syncs) are
    /// in, checked for every 200 ms; epochs, threads and recipes are the test's own. Why all of them: with a lower
    /// threshold the first run started while the last devices still synced, so its data (and whether the gate
    /// published it) varied from run to run — a CI run once kept v1 back and waited in vain.
    /// </summary>
    public static void RetrainOnceSynced(OnDeviceReco.Server.Hosting.RetrainingOptions retraining)
    {
        retraining.Enabled = true;
        retraining.MinNewEvents = 60 * 40;
        retraining.CheckInterval = TimeSpan.FromMilliseconds(200);
    }

    /// <summary>60 devices, each a player who plays 40 consecutive games of the ring from a random start, synced.</summary>
    public async Task SyncPlayersAsync(TempDirectory directory, ServerHost server, string trustedKey)
    {
        var random = new Random(3);
        for (int d = 0; d < 60; d++)
        {
            using var device = OpenDevice(directory, server, trustedKey, $"device-{d}");
            int start = random.Next(games);
            for (int i = 0; i < 40; i++)
            {
                device.Track("player", Game(start + i), EventType.Play, timestamp: DateTimeOffset.UtcNow.AddMinutes(i - 60));
            }
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
        }
    }
}
