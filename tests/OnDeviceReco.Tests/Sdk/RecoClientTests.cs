using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Sdk;

public sealed class RecoClientTests
{
    private static RecoClient Open(TempDirectory dir, IReadOnlyList<string>? popular = null, ConsentState consent = ConsentState.Unknown) =>
        new(new RecoClientOptions { Store = new StoreOptions { DatabasePath = dir.Database }, PopularItems = popular, InitialConsent = consent });

    [Fact]
    public void Recommends_local_popularity_then_the_app_list_excluding_what_the_user_has_seen()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir, popular: ["app-1", "hit", "app-2", "app-3"]);
        foreach (var user in new[] { "a", "b", "c" })
        {
            client.Track(user, "hit", EventType.Play);
        }
        client.Track("a", "second", EventType.Play);
        client.Track("b", "second", EventType.Play);
        client.Track("me", "second", EventType.Purchase);
        client.Track("me", "app-1", EventType.Impression); // shown but not taken: still recommendable
        client.Flush();

        var recs = client.Recommend("me", 4);
        Assert.Equal(["hit", "app-1", "app-2", "app-3"], recs.Select(r => r.ItemId));
        Assert.Equal([1, 2, 3, 4], recs.Select(r => r.Rank));
        Assert.All(recs, r => Assert.Equal(RecommendationSource.Popularity, r.Source));
        Assert.Contains("3 people", recs[0].Reason, StringComparison.Ordinal);
        Assert.Equal("Popular in the app (#1)", recs[1].Reason);
        Assert.True(recs.Zip(recs.Skip(1)).All(p => p.First.Score > p.Second.Score));

        Assert.Equal(["hit", "second"], client.Recommend("me", 2, new RecommendOptions { ExcludeSeen = false }).Select(r => r.ItemId));
        Assert.Equal(["app-1", "app-2"], client.Recommend("me", 2, new RecommendOptions { Blocked = new HashSet<string> { "hit" } }).Select(r => r.ItemId));
        Assert.Equal(["app-3"], client.Recommend("me", 5, new RecommendOptions { Candidates = new HashSet<string> { "app-3", "second" } }).Select(r => r.ItemId));
    }

    [Fact]
    public void Category_allow_list_uses_item_metadata()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir, popular: ["racing-game", "puzzle-game", "no-metadata"]);
        client.UpsertItems([new ItemMetadata("racing-game", ["Racing"]), new ItemMetadata("puzzle-game", ["Puzzle", "Casual"])]);
        var recs = client.Recommend("new-user", 10, new RecommendOptions { Categories = new HashSet<string> { "Casual" } });
        Assert.Equal(["puzzle-game"], recs.Select(r => r.ItemId));
    }

    [Fact]
    public async Task Unknown_user_on_an_empty_store_gets_an_empty_list_not_an_error()
    {
        using var dir = new TempDirectory();
        await using var client = Open(dir);
        Assert.Empty(await client.RecommendAsync("nobody", 10));
    }

    [Fact]
    public void Recommend_refuses_bad_arguments()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Recommend("u", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Recommend("u", RecoClient.MaxRecommendations + 1));
        Assert.Throws<InvalidEventException>(() => client.Recommend("", 5));
        Assert.Throws<InvalidEventException>(() => client.SetPopularItems(["ok", ""]));
    }

    [Fact]
    public void Initial_consent_applies_to_a_new_store_only()
    {
        using var dir = new TempDirectory();
        using (var client = Open(dir, consent: ConsentState.LocalOnly))
        {
            Assert.Equal(ConsentState.LocalOnly, client.Consent);
            client.SetConsent(ConsentState.Granted);
        }
        using var again = Open(dir, consent: ConsentState.LocalOnly);
        Assert.Equal(ConsentState.Granted, again.Consent);
    }

    [Fact]
    public void Client_surface_reaches_the_store()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir);
        Assert.Equal(StoreOpenState.Created, client.Health.OpenState);
        client.UpsertItems([new ItemMetadata("a", ["G"])]);
        client.Track("u", "a", EventType.Play);
        client.Track("u", "b", EventType.View);
        client.Flush();
        Assert.Equal(["a", "b"], client.GetRecentSequence("u").Select(r => r.ItemId));
        Assert.Equal("G", Assert.Single(client.GetProfile("u").CategoryAffinities).Category);
        Assert.Equal(2, client.Statistics.Written);
        client.EraseAllData();
        Assert.Empty(client.GetRecentSequence("u"));
    }
}
