// A .NET app that installed OnDeviceReco from a package feed (build/consumer-tests.sh: dotnet new console +
// dotnet add package OnDeviceReco), never by project reference: tracks, flushes, recommends. Exit 0 = it works.
using OnDeviceReco;

string directory = Path.Combine(Path.GetTempPath(), "odr-consumer-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(directory);
try
{
    await using (var reco = new RecoClient(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = Path.Combine(directory, "reco.db") },
        InitialConsent = ConsentState.LocalOnly,
        PopularItems = ["sku-1", "sku-7", "sku-3"],
    }))
    {
        reco.Track("player-1", "sku-7", EventType.Play);
        foreach (string player in new[] { "player-2", "player-3", "player-4" })
        {
            reco.Track(player, "sku-9", EventType.Play);
            reco.Track(player, "sku-7", EventType.Purchase);
        }
        reco.Track("player-2", "sku-5", EventType.Rate, value: 4.5);
        await reco.FlushAsync();

        var shown = reco.Recommend("player-1", 3);
        foreach (var item in shown)
        {
            Console.WriteLine($"{item.Rank}. {item.ItemId} [{item.Source}] {item.Reason}");
        }
        // The native SQLite and ONNX Runtime came from their packages' runtime assets; the answer must be real:
        // on-device popularity first (sku-9 by three users), and the item player-1 already played left out.
        if (shown.Count == 0 || shown[0].ItemId != "sku-9" || shown.Any(item => item.ItemId == "sku-7"))
        {
            Console.Error.WriteLine("unexpected recommendations");
            return 1;
        }
        Console.WriteLine($"profile: {reco.GetProfile("player-1").TotalEvents} events");
    }
    Console.WriteLine("consumer app: tracked, flushed and recommended through the OnDeviceReco package");
    return 0;
}
finally
{
    Directory.Delete(directory, recursive: true);
}
