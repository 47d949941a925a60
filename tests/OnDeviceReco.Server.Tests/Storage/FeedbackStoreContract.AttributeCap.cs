using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Tests.Stores;

// The attribute cap across batches, on every store: a user never holds more than 32 values however the changes
// arrive (one batch, many, concurrently), the newest by change number stay, removals free slots, nothing pruned
// comes back, and the rows a device can make for one user stay bounded. Plus what decides the winner when a
// device's clock is wrong: the change number, never the timestamp.
public abstract partial class FeedbackStoreContract
{
    private const int Cap = InputLimits.MaxUserAttributes;

    private static AttributeChange Set(long sequence, string key, string user = "u") => new(sequence, Now, user, key, $"v{sequence}");

    private static AttributeChange Remove(long sequence, string key, string user = "u") => new(sequence, Now, user, key, null);

    private static List<string> KeysOf(IFeedbackStore store, string device = "device-a", string user = "u") =>
        [.. store.ReadAttributes().Where(a => a.DeviceId == device && a.UserId == user).Select(a => a.Key).Order(StringComparer.Ordinal)];

    private static List<string> Keys(IEnumerable<int> numbers) => [.. numbers.Select(n => $"k{n:D3}").Order(StringComparer.Ordinal)];

    [Fact]
    public void Attributes_sent_in_many_batches_keep_the_newest_32_per_user_and_leave_other_users_alone()
    {
        using var store = NewStore();
        store.IngestAttributes(Attributes("device-a", Set(1, "platform", user: "other")));
        var results = Enumerable.Range(1, 40).Select(i => store.IngestAttributes(Attributes("device-a", Set(100 + i, $"k{i:D3}")))).ToList();

        Assert.Equal(Keys(Enumerable.Range(9, Cap)), KeysOf(store));
        Assert.Equal(8, results.Sum(r => r.Evicted));
        Assert.All(results.Take(Cap), r => Assert.Equal(0, r.Evicted));
        Assert.Equal(["platform"], KeysOf(store, user: "other"));
        Assert.Equal(140, results[^1].HighestSequence);
    }

    [Fact]
    public void One_batch_over_the_cap_is_stored_whole_with_its_newest_32()
    {
        using var store = NewStore();
        var result = store.IngestAttributes(Attributes("device-a", [.. Enumerable.Range(1, 50).Select(i => Set(i, $"k{i:D3}"))]));

        Assert.Equal((50, 0, 18), (result.Applied, result.AlreadyApplied, result.Evicted));
        Assert.Equal(Keys(Enumerable.Range(19, Cap)), KeysOf(store));
    }

    [Fact]
    public void A_removal_frees_a_slot_and_a_pruned_change_sent_again_never_comes_back()
    {
        using var store = NewStore();
        store.IngestAttributes(Attributes("device-a", [.. Enumerable.Range(1, Cap).Select(i => Set(i, $"k{i:D3}"))]));
        var over = store.IngestAttributes(Attributes("device-a", Set(33, "k033")));
        Assert.Equal(1, over.Evicted);
        Assert.DoesNotContain("k001", KeysOf(store));

        var freed = store.IngestAttributes(Attributes("device-a", Remove(34, "k002"), Set(35, "k035")));
        Assert.Equal(0, freed.Evicted);
        Assert.Equal(Keys(Enumerable.Range(3, 31).Append(35)), KeysOf(store));

        // The first batch again (a late duplicate delivery): k001 was pruned, k002 removed; neither returns.
        var resent = store.IngestAttributes(Attributes("device-a", Set(1, "k001"), Set(2, "k002")));
        Assert.Equal((0, 2), (resent.Applied, resent.AlreadyApplied));
        Assert.Equal(Keys(Enumerable.Range(3, 31).Append(35)), KeysOf(store));
        // A new value for the pruned key, numbered after everything, is an ordinary change.
        Assert.Equal(1, store.IngestAttributes(Attributes("device-a", Set(36, "k001"))).Applied);
        Assert.Contains("k001", KeysOf(store));
    }

    [Fact]
    public void A_flood_of_distinct_keys_and_removals_keeps_one_users_rows_bounded()
    {
        using var store = NewStore();
        long sequence = 0;
        for (int batch = 0; batch < 20; batch++)
        {
            var changes = new List<AttributeChange>();
            for (int i = 0; i < 50; i++)
            {
                string key = $"flood-{batch}-{i}";
                changes.Add(Set(++sequence, key));
                changes.Add(Remove(++sequence, key));
                changes.Add(Set(++sequence, key + "-kept"));
            }
            store.IngestAttributes(Attributes("device-a", [.. changes]));
        }

        Assert.Equal(Cap, KeysOf(store).Count);
        Assert.True(AttributeRows() <= 2 * Cap, $"{AttributeRows()} rows for one user after 1,000 keys and 1,000 removals");
        Assert.All(KeysOf(store), k => Assert.StartsWith("flood-19-", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_batches_for_one_user_end_with_exactly_the_newest_32()
    {
        using var store = NewStore();
        // 12 batches of 10 keys with interleaved change numbers, each delivered twice, all at once.
        var batches = Enumerable.Range(0, 12)
            .Select(b => Attributes("device-a", [.. Enumerable.Range(0, 10).Select(i => Set(1 + b + 12 * i, $"k{1 + b + 12 * i:D3}"))]))
            .ToList();
        await Task.WhenAll(batches.Concat(batches).Select(b => Task.Run(() => store.IngestAttributes(b))));

        Assert.Equal(Keys(Enumerable.Range(120 - Cap + 1, Cap)), KeysOf(store));
    }

    [Fact]
    public void The_change_number_decides_whatever_the_timestamps_say()
    {
        using var store = NewStore();
        long year2100 = DateTimeOffset.Parse("2100-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        // A clock far ahead sets the first value, then a clock set back to 1970 the second: the second is newer.
        store.IngestAttributes(Attributes("device-a", new AttributeChange(1, year2100, "u", "platform", "android")));
        store.IngestAttributes(Attributes("device-a", new AttributeChange(2, 1_000, "u", "platform", "ios")));
        // And a far-future time on an older change does not make it win.
        var late = store.IngestAttributes(Attributes("device-a", new AttributeChange(1, long.MaxValue / 2, "u", "platform", "web")));

        Assert.Equal(0, late.Applied);
        Assert.Equal([new StoredAttribute("device-a", "u", "platform", "ios")], AttributesOf(store));
    }
}
