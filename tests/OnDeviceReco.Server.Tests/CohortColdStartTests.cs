using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Other sources end to end: devices sync user attributes and searches with their events; the server's own
/// retraining writes a cohort table into the signed bundle; a device verifies it, and a brand-new user with an
/// attribute (or a search) gets what people sharing it chose, instead of what everyone chose.
/// </summary>
public sealed class CohortColdStartTests
{
    private static readonly RingGames Ring = new(40);

    [Fact]
    public async Task A_new_user_gets_the_popular_items_of_their_attribute_value_and_of_their_searches()
    {
        await using var server = await ServerHost.StartAsync(options =>
        {
            RingGames.RetrainOnceSynced(options.Retraining);
            options.Retraining.MaxEpochs = 20;
            options.Retraining.Threads = 2;
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        var random = new Random(7);
        // iOS players play games 0–19, Android players games 20–39; every fourth iOS player searched "Puzzle".
        for (int d = 0; d < 60; d++)
        {
            bool onIos = d % 2 == 0;
            using var device = RingGames.OpenDevice(directory, server, trustedKey, $"device-{d}");
            device.SetUserAttribute("player", "platform", onIos ? "ios" : "android");
            if (d % 4 == 0)
            {
                device.Track("player", "Puzzle ", EventType.Search, timestamp: DateTimeOffset.UtcNow.AddMinutes(-61));
            }
            int offset = onIos ? 0 : 20;
            int start = random.Next(20);
            for (int i = 0; i < 40; i++)
            {
                device.Track("player", Ring.Game(offset + (start + i) % 20), EventType.Play, timestamp: DateTimeOffset.UtcNow.AddMinutes(i - 60));
            }
            var sync = await device.SyncAsync();
            Assert.Equal(SyncStatus.Completed, sync.Status);
            Assert.Equal(1, sync.AttributeChangesSent);
        }
        Assert.Equal(60, server.Scalar("SELECT count(*) FROM user_attributes"));
        await WaitForServingAsync(server, TimeSpan.FromMinutes(4));

        using var newcomer = RingGames.OpenDevice(directory, server, trustedKey, "newcomer");
        Assert.True((await newcomer.SyncAsync()).ModelUpdated);
        Assert.NotEmpty(Directory.EnumerateFiles(directory.Path, "cohort_popularity.bin", SearchOption.AllDirectories));
        newcomer.SetUserAttribute("ios-fan", "platform", "ios");
        newcomer.SetUserAttribute("android-fan", "platform", "android");
        newcomer.Track("searcher", "puzzle", EventType.Search);

        var ios = newcomer.Recommend("ios-fan", 10);
        var android = newcomer.Recommend("android-fan", 10);
        var searcher = newcomer.Recommend("searcher", 10);
        var nobody = newcomer.Recommend("nobody", 10);

        Assert.All(ios, r => Assert.Equal(RecommendationSource.Cohort, r.Source));
        Assert.All(ios, r => Assert.InRange(RingGames.Number(r.ItemId), 0, 19));
        Assert.Equal("Popular with people who share your platform = ios", ios[0].Reason);
        Assert.All(android, r => Assert.InRange(RingGames.Number(r.ItemId), 20, 39));
        Assert.All(searcher, r => Assert.Equal(RecommendationSource.Cohort, r.Source));
        Assert.All(searcher, r => Assert.InRange(RingGames.Number(r.ItemId), 0, 19));
        Assert.Equal("Popular with people who searched puzzle", searcher[0].Reason);
        // Without attributes or searches the chain falls through to popularity, as before.
        Assert.All(nobody, r => Assert.Equal(RecommendationSource.Popularity, r.Source));
    }

    private static async Task WaitForServingAsync(ServerHost server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var stats = await server.StatsAsync();
            if (stats.ServingVersion == 1)
            {
                return;
            }
            Assert.Null(stats.LastRetrainingError);
            Assert.True(DateTime.UtcNow < deadline, $"Timed out; last stats: {stats}");
            await Task.Delay(200);
        }
    }
}
