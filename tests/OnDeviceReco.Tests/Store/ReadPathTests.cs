using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class ReadPathTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new(Start);
    private readonly BehaviorStore _store;

    public ReadPathTests() => _store = new BehaviorStore(new StoreOptions
    {
        DatabasePath = _dir.Database, TimeProvider = _clock, AffinityHalfLife = TimeSpan.FromDays(7), SessionGap = TimeSpan.FromMinutes(30),
    });

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private void At(TimeSpan offset, string user, string item, EventType type, double value = 0) =>
        _store.Track(user, item, type, value, Start + offset);

    [Fact]
    public void Recent_sequence_is_oldest_first_collapses_repeats_and_honours_limit_and_filter()
    {
        string[] items = ["a", "b", "b", "b", "c", "a", "d"];
        for (int i = 0; i < items.Length; i++)
        {
            At(TimeSpan.FromMinutes(i), "u", items[i], i == 3 ? EventType.Purchase : EventType.View);
        }
        At(TimeSpan.FromMinutes(10), "other", "z", EventType.View);
        _store.Flush();

        Assert.Equal(["a", "b", "c", "a", "d"], _store.GetRecentSequence("u").Select(r => r.ItemId));
        Assert.Equal(EventType.Purchase, _store.GetRecentSequence("u")[1].Type); // the newest event of the collapsed run
        Assert.Equal(items, _store.GetRecentSequence("u", collapseRepeats: false).Select(r => r.ItemId));
        Assert.Equal(["c", "a", "d"], _store.GetRecentSequence("u", 3).Select(r => r.ItemId));
        Assert.Equal(["b"], _store.GetRecentSequence("u", types: new HashSet<EventType> { EventType.Purchase }).Select(r => r.ItemId));
        Assert.Empty(_store.GetRecentSequence("nobody"));
        Assert.Equal(Start + TimeSpan.FromMinutes(6), _store.GetRecentSequence("u")[^1].Timestamp);
    }

    [Fact]
    public void Profile_counts_types_splits_sessions_and_decays_category_affinity()
    {
        _store.UpsertItems([
            new ItemMetadata("old-action", ["Action"]),
            new ItemMetadata("new-puzzle", ["Puzzle"]),
            new ItemMetadata("bad-horror", ["Horror"]),
        ]);
        // Session 1, 30 days ago: a lot of Action. Session 2, today: a little Puzzle, a poor Horror rating.
        for (int i = 0; i < 4; i++)
        {
            At(TimeSpan.FromMinutes(i), "u", "old-action", EventType.Play);
        }
        _clock.Advance(TimeSpan.FromDays(30));
        var today = TimeSpan.FromDays(30);
        At(today, "u", "new-puzzle", EventType.Play);
        At(today + TimeSpan.FromMinutes(5), "u", "new-puzzle", EventType.Click);
        At(today + TimeSpan.FromMinutes(10), "u", "bad-horror", EventType.Rate, 1);
        At(today + TimeSpan.FromMinutes(11), "u", "unknown-item", EventType.Impression);
        _store.Flush();

        var profile = _store.GetProfile("u");
        Assert.Equal(8, profile.TotalEvents);
        Assert.Equal(5, profile.CountsByType[EventType.Play]);
        Assert.Equal(1, profile.CountsByType[EventType.Rate]);
        Assert.Equal(2, profile.SessionCount);
        Assert.Equal(Start + today, profile.CurrentSessionStart);
        Assert.Equal(4, profile.CurrentSessionEvents);
        Assert.Equal(Start, profile.FirstSeen);
        Assert.Equal(TimeSpan.FromMinutes(-11), profile.Recency(Start + today));
        // Four plays 30 days ago weigh 8 × 2^(-30/7) ≈ 0.41; a play and a click today weigh 3.5.
        Assert.Equal(["Puzzle", "Action"], profile.CategoryAffinities.Select(a => a.Category));
        Assert.Equal(1.0, profile.CategoryAffinities.Sum(a => a.Score), 9);
        Assert.DoesNotContain(profile.CategoryAffinities, a => a.Category == "Horror");

        var empty = _store.GetProfile("nobody");
        Assert.True(empty.IsEmpty);
        Assert.Equal(0, empty.SessionCount);
        Assert.Null(empty.Recency(Start));
    }

    [Fact]
    public void Popularity_counts_distinct_users_inside_the_window_only()
    {
        _clock.Advance(TimeSpan.FromDays(10));
        At(TimeSpan.Zero, "u1", "ancient-hit", EventType.Play); // 10 days before now
        At(TimeSpan.Zero, "u2", "ancient-hit", EventType.Play);
        At(TimeSpan.Zero, "u3", "ancient-hit", EventType.Play);
        var recent = TimeSpan.FromDays(9.5);
        foreach (var user in new[] { "u1", "u2" })
        {
            At(recent, user, "hit", EventType.Play);
        }
        At(recent, "u1", "single", EventType.Play);
        At(recent, "u1", "single", EventType.Play);
        At(recent, "u4", "shown-only", EventType.Impression);
        At(recent, "u5", "shown-only", EventType.Impression);
        At(recent, "u6", "shown-only", EventType.Impression);
        _store.Flush();

        var popular = _store.GetPopularItems(TimeSpan.FromDays(1), 10);
        Assert.Equal(["hit", "single"], popular.Select(p => p.ItemId));
        Assert.Equal(new ItemPopularity("hit", 2, 2), popular[0]);
        Assert.Equal(new ItemPopularity("single", 1, 2), popular[1]);
        Assert.Equal("ancient-hit", _store.GetPopularItems(TimeSpan.FromDays(30), 1)[0].ItemId);
    }

    [Fact]
    public void Interacted_items_leave_out_mere_impressions_and_items_round_trip()
    {
        At(TimeSpan.Zero, "u", "clicked", EventType.Click);
        At(TimeSpan.Zero, "u", "shown", EventType.Impression);
        At(TimeSpan.Zero, "u", "dismissed", EventType.Dismiss);
        _store.Flush();
        Assert.Equal(new HashSet<string> { "clicked", "dismissed" }, _store.GetInteractedItems("u"));

        var attributes = new Dictionary<string, string> { ["title"] = "Quoted \"title\", with comma", ["tier"] = "gold" };
        _store.UpsertItems([new ItemMetadata("x", ["A", "B"], attributes)]);
        _store.UpsertItems([new ItemMetadata("x", ["C"], attributes)]);
        var item = _store.GetItem("x")!;
        Assert.Equal(["C"], item.Categories);
        Assert.Equal(attributes, item.Attributes);
    }
}
