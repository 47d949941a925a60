using OnDeviceReco.Protocol;
using static OnDeviceReco.EndToEnd.Tests.BundleFixture;

namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>Onboarding questions for a new user on a real store, with and without a real model bundle.</summary>
public sealed class OnboardingTests : IClassFixture<BundleFixture>, IDisposable
{
    private readonly BundleFixture _fixture;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-e2e-onboard", Guid.NewGuid().ToString("N"));
    private readonly RecoClient _client;

    public OnboardingTests(BundleFixture fixture)
    {
        _fixture = fixture;
        Directory.CreateDirectory(_dir);
        _client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = Path.Combine(_dir, "store.db") },
            TrustedModelKeys = [fixture.PublicKeyPem],
        });
    }

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Other people on the device: item i is played by (Items − i) of them, so lower ids are more popular.</summary>
    private void OthersPlayed(int items)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        for (int i = 0; i < items; i++)
        {
            for (int u = 0; u < items - i; u++)
            {
                _client.Track($"other-{u}", ItemId(i), EventType.Play, timestamp: start.AddSeconds(i * 100 + u));
            }
        }
    }

    private static int IndexOf(string id) => int.Parse(id["game-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void With_a_model_the_questions_cover_every_category_and_start_with_the_most_popular()
    {
        _client.LoadModel(_fixture.V1);
        OthersPlayed(Items);
        var items = _client.ProposeOnboardingItems("newcomer", 4);
        Assert.Equal(4, items.Count);
        Assert.Equal(ItemId(0), items[0].ItemId);
        Assert.Equal("Game 0", items[0].Title);
        Assert.Equal(Genres.Length, items.Select(i => GenreOf(IndexOf(i.ItemId))).Distinct().Count());
        Assert.All(items, i => Assert.Equal(RecommendationSource.Model, i.Source));
        Assert.All(items, i => Assert.Equal([GenreOf(IndexOf(i.ItemId))], i.Categories));
        Assert.Equal([1, 2, 3, 4], items.Select(i => i.Rank));
        Assert.All(items.Skip(1), i => Assert.Contains("a category not asked about yet", i.Reason, StringComparison.Ordinal));
        // Answerable: drawn from the popular head, never from the obscure end.
        Assert.All(items, i => Assert.True(IndexOf(i.ItemId) < Items / 2, $"{i.ItemId} is not among the popular half"));
    }

    [Fact]
    public void A_bundle_question_list_is_asked_first_in_its_order_then_the_device_tops_up()
    {
        // The server's list (text coverage it computed; the device never runs the text model): obscure items on purpose,
        // so they cannot be mistaken for the device's own popular picks.
        string[] listed = [ItemId(31), ItemId(17), ItemId(38)];
        var verified = new BundleVerifier([_fixture.PublicKeyPem]).Verify(_fixture.V1);
        var files = verified.Files.Where(f => f.Key != BundleFileNames.ItemList).ToDictionary(StringComparer.Ordinal);
        string bundle = Path.Combine(_dir, "listed");
        using (var key = BundleSigner.ImportPrivateKeyPem(_fixture.PrivateKeyPem))
        {
            BundleSigner.WriteBundle(bundle, verified.Manifest with { Onboarding = listed }, files, key);
        }
        _client.LoadModel(bundle);
        OthersPlayed(Items);
        _client.Track("newcomer", ItemId(17), EventType.Play); // touched: never asked

        var items = _client.ProposeOnboardingItems("newcomer", 4);
        Assert.Equal([ItemId(31), ItemId(38)], items.Take(2).Select(i => i.ItemId));
        Assert.Equal([1, 2, 3, 4], items.Select(i => i.Rank));
        Assert.Equal("Game 31", items[0].Title);
        Assert.All(items.Take(2), i => Assert.Equal(RecommendationSource.Model, i.Source));
        // The list used up, the device's own choice follows: the most popular item, nothing asked twice.
        Assert.Equal(ItemId(0), items[2].ItemId);
        Assert.Equal(4, items.Select(i => i.ItemId).Distinct().Count());

        foreach (var item in items)
        {
            _client.RecordOnboardingAnswer("newcomer", item.ItemId, OnboardingAnswer.NotSeen);
        }
        // Answered items are not asked again: the list is used up, the device's popular head serves.
        var again = _client.ProposeOnboardingItems("newcomer", 2);
        Assert.Empty(again.Select(i => i.ItemId).Intersect(items.Select(i => i.ItemId).Append(ItemId(17))));
    }

    [Fact]
    public void Without_a_model_categories_and_popularity_choose()
    {
        _client.UpsertItems(Enumerable.Range(0, Items).Select(i => new ItemMetadata(ItemId(i), [GenreOf(i)])));
        OthersPlayed(12);
        var items = _client.ProposeOnboardingItems("newcomer", 4);
        Assert.Equal(ItemId(0), items[0].ItemId);
        Assert.Equal(Genres.Length, items.Select(i => i.Categories[0]).Distinct().Count());
        Assert.All(items, i => Assert.Equal(RecommendationSource.Popularity, i.Source));
        Assert.All(items, i => Assert.True(IndexOf(i.ItemId) < 12, $"{i.ItemId} was played by nobody"));
    }

    [Fact]
    public void Questions_reach_twenty_popular_items_per_question_and_no_further()
    {
        // 160 items, item i played by 160 − i people: ranks 0–59 are all Action, 60–99 Puzzle, 100 on Racing.
        const int catalogue = 160;
        static string Id(int i) => $"game-{i}";
        static string Genre(int i) => i < 60 ? "Action" : i < 100 ? "Puzzle" : "Racing";
        _client.UpsertItems(Enumerable.Range(0, catalogue).Select(i => new ItemMetadata(Id(i), [Genre(i)])));
        var start = DateTimeOffset.UtcNow.AddHours(-12);
        for (int i = 0; i < catalogue; i++)
        {
            for (int u = 0; u < catalogue - i; u++)
            {
                _client.Track($"other-{u}", Id(i), EventType.Play, timestamp: start.AddSeconds(i * catalogue + u));
            }
        }

        var items = _client.ProposeOnboardingItems("newcomer", 5);

        Assert.Equal(5, items.Count);
        Assert.Equal(Id(0), items[0].ItemId);
        // Five questions look at the 100 most popular: a category that first appears at rank 60 is asked about …
        Assert.Contains(items, i => i.Categories.SequenceEqual(["Puzzle"]));
        // … one that first appears at rank 100 is too obscure to ask about.
        Assert.All(items, i => Assert.True(IndexOf(i.ItemId) < 100, $"{i.ItemId} is beyond the 100 most popular"));
    }

    [Fact]
    public void Answers_are_events_the_next_recommend_uses_at_once()
    {
        _client.LoadModel(_fixture.V1);
        OthersPlayed(Items);
        var before = _client.Recommend("n", 5);
        Assert.All(before, r => Assert.Equal(RecommendationSource.Popularity, r.Source));

        var asked = _client.ProposeOnboardingItems("n", 3);
        Assert.Equal(TrackOutcome.Accepted, _client.RecordOnboardingAnswer("n", asked[0].ItemId, OnboardingAnswer.Liked));
        _client.RecordOnboardingAnswer("n", asked[1].ItemId, OnboardingAnswer.Disliked);
        _client.RecordOnboardingAnswer("n", asked[2].ItemId, OnboardingAnswer.NotSeen);

        // No flush: Recommend commits what was just tracked. The liked item is the model's history now: after
        // item i comes item i + 1 in the data the model learned.
        var after = _client.Recommend("n", 5);
        Assert.All(after, r => Assert.Equal(RecommendationSource.Model, r.Source));
        Assert.Contains(ItemId(IndexOf(asked[0].ItemId) + 1), after.Take(3).Select(r => r.ItemId));
        Assert.All(after, r => Assert.Equal($"Because you rated {asked[0].Title}", r.Reason));
        Assert.DoesNotContain(after, r => r.ItemId == asked[1].ItemId);

        var events = _client.Store.GetEvents(0, 10_000).Where(e => e.UserId == "n").ToList();
        Assert.Equal([EventType.Rate, EventType.Dismiss, EventType.Impression], events.Select(e => e.Type));
        Assert.Equal(["liked", "disliked", "notseen"], events.Select(e => e.Context["onboarding"]));
        Assert.Equal(5, events[0].Value);

        // Asking again proposes none of the answered items.
        var again = _client.ProposeOnboardingItems("n", 5);
        Assert.Empty(again.Select(i => i.ItemId).Intersect(asked.Select(i => i.ItemId)));
    }

    [Fact]
    public void Not_seen_answers_lower_items_like_them_while_the_history_is_short()
    {
        _client.LoadModel(_fixture.V1);
        Dictionary<string, double> Scores(string user) => _client.Recommend(user, 20).ToDictionary(r => r.ItemId, r => r.Score);
        string liked = ItemId(5);
        _client.RecordOnboardingAnswer("plain", liked, OnboardingAnswer.Liked);
        var plain = Scores("plain");
        string next = plain.MaxBy(p => p.Value).Key; // the model's best guess after the liked item

        _client.RecordOnboardingAnswer("answered", liked, OnboardingAnswer.Liked);
        _client.RecordOnboardingAnswer("answered", next, OnboardingAnswer.NotSeen);
        var answered = Scores("answered");
        // An ordinary impression is no answer: it changes nothing.
        _client.RecordOnboardingAnswer("shown", liked, OnboardingAnswer.Liked);
        _client.Track("shown", next, EventType.Impression);
        Assert.Equal(plain, Scores("shown"));

        // The not-seen item itself is as like it as can be: its score drops by the whole weight …
        Assert.Equal(plain[next] - 1.0, answered[next], 4);
        // … and every other item drops by its likeness to it, between nothing and the whole weight.
        foreach (var (item, score) in answered.Where(a => plain.ContainsKey(a.Key)))
        {
            Assert.InRange(score, plain[item] - 1.0 - 1e-4, plain[item] + 1e-4);
        }
        Assert.Contains(answered, a => plain.TryGetValue(a.Key, out double before) && a.Key != next && a.Value < before - 1e-3);

        // A history longer than a newcomer's speaks for itself: the same answer changes nothing.
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        foreach (var user in new[] { "long", "long-answered" })
        {
            for (int i = 0; i < 6; i++)
            {
                _client.Track(user, ItemId(i), EventType.Play, timestamp: start.AddMinutes(i));
            }
        }
        _client.RecordOnboardingAnswer("long-answered", ItemId(7), OnboardingAnswer.NotSeen);
        Assert.Equal(Scores("long"), Scores("long-answered"));
    }

    [Fact]
    public void Bad_input_is_refused_and_changes_nothing()
    {
        Assert.Empty(_client.ProposeOnboardingItems("nobody-on-an-empty-device", 5));
        Assert.Throws<InvalidEventException>(() => _client.ProposeOnboardingItems(null!, 5));
        Assert.Throws<InvalidEventException>(() => _client.ProposeOnboardingItems("", 5));
        foreach (int count in new[] { 0, -1, RecoClient.MaxOnboardingItems + 1, int.MaxValue, int.MinValue })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => _client.ProposeOnboardingItems("u", count));
        }
        Assert.Throws<ArgumentException>(() => _client.ProposeOnboardingItems("u", 3, new RecommendOptions { Candidates = new HashSet<string>() }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.RecordOnboardingAnswer("u", "x", (OnboardingAnswer)0));
        Assert.Throws<InvalidEventException>(() => _client.RecordOnboardingAnswer("u", "", OnboardingAnswer.Liked));
        _client.Flush();
        Assert.Empty(_client.Store.GetEvents(0, 100));
        _client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _client.ProposeOnboardingItems("u", 3));
    }
}
