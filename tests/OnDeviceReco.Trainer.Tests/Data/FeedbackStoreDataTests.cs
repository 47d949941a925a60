using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Sqlite;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Tests.Data;

/// <summary>The server's own feedback store as training data: written by the real SQLite store, read back through <c>sqlite:PATH</c>.</summary>
public sealed class FeedbackStoreDataTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-store-data", Guid.NewGuid().ToString("N"));

    public FeedbackStoreDataTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static WireEvent Event(long sequence, long time, string user, string item, EventType type, string? requestId = null) =>
        new(sequence, time, user, item, (int)type, type == EventType.Rate ? 4 : 0,
            requestId is null ? WireEvent.NoContext : new Dictionary<string, string> { [WireEvent.RequestIdKey] = requestId, [WireEvent.RankKey] = "0" });

    private static void Ingest(IFeedbackStore store, string device, params WireEvent[] events)
    {
        var batch = EventBatch.Create(device, events);
        store.Ingest(batch, SHA256.HashData(Encoding.UTF8.GetBytes(device + events[0].Sequence)));
    }

    [Fact]
    public void Sequences_per_device_and_user_come_back_in_time_order_without_impressions()
    {
        string path = Path.Combine(_dir, "feedback.db");
        using (var store = new SqliteFeedbackStore(path))
        {
            Ingest(store, "phone-a",
                Event(1, 3_000, "alice", "m3", EventType.Rate),
                Event(2, 1_000, "alice", "m1", EventType.Play),
                Event(3, 2_000, "alice", "m9", EventType.Impression, "r1"),
                Event(4, 2_500, "alice", "m2", EventType.Click, "r1"),
                Event(5, 2_600, "alice", "m2", EventType.Rate));
            Ingest(store, "phone-b", Event(1, 500, "alice", "m7", EventType.View), Event(2, 600, "bob", "m1", EventType.Dismiss));
        }

        var data = DataSources.Open("sqlite:" + path).Load();

        Assert.Equal([FeedbackUserKey.Of("phone-a", "alice"), FeedbackUserKey.Of("phone-b", "alice")], data.UserIds.Order(StringComparer.Ordinal));
        Assert.Equal(["m1", "m2", "m3"], SequenceOf(data, FeedbackUserKey.Of("phone-a", "alice")));
        Assert.Equal(["m7"], SequenceOf(data, FeedbackUserKey.Of("phone-b", "alice")));
        Assert.False(data.Items.TryGetIndex("m9", out _), "an impression alone is not an interaction");
    }

    [Fact]
    public void Ids_that_contain_a_slash_never_join_two_devices_users()
    {
        // Device "a" with user "b/c" and device "a/b" with user "c" once shared the key "a/b/c".
        string path = Path.Combine(_dir, "slashes.db");
        using (var store = new SqliteFeedbackStore(path))
        {
            Ingest(store, "a", Event(1, 1_000, "b/c", "m1", EventType.Play), Event(2, 2_000, "b/c", "m2", EventType.Play));
            Ingest(store, "a/b", Event(1, 1_500, "c", "m3", EventType.Play), Event(2, 2_500, "c", "m4", EventType.Play));
        }

        var data = DataSources.Open("sqlite:" + path).Load();

        Assert.Equal([FeedbackUserKey.Of("a", "b/c"), FeedbackUserKey.Of("a/b", "c")], data.UserIds.Order(StringComparer.Ordinal));
        Assert.Equal(["b/c", "c"], data.UserIds.Select(FeedbackUserKey.UserIdOf).Order(StringComparer.Ordinal));
        Assert.Equal(["m1", "m2"], SequenceOf(data, FeedbackUserKey.Of("a", "b/c")));
        Assert.Equal(["m3", "m4"], SequenceOf(data, FeedbackUserKey.Of("a/b", "c")));
    }

    /// <summary>The item ids of <paramref name="user"/>'s sequence (users come in the canonical order, tested in CanonicalOrderTests).</summary>
    private static string[] SequenceOf(InteractionData data, string user) =>
        data.Sequences[data.UserIds.ToList().IndexOf(user)].Select(data.Items.IdOf).ToArray();

    [Fact]
    public void A_file_that_is_not_a_store_is_a_data_error()
    {
        string path = Path.Combine(_dir, "notes.db");
        File.WriteAllText(path, "this is not a SQLite database, just text long enough to have a header page.............");
        var error = Assert.Throws<DataFormatException>(() => DataSources.Open("sqlite:" + path).Load());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Impressions_never_taken_afterwards_are_kept_as_shown_items_from_the_position_they_were_shown()
    {
        string path = Path.Combine(_dir, "shown.db");
        using (var store = new SqliteFeedbackStore(path))
        {
            Ingest(store, "phone",
                Event(1, 1_000, "ann", "a", EventType.Play),
                Event(2, 2_000, "ann", "x", EventType.Impression, "r1"),
                Event(3, 2_000, "ann", "b", EventType.Impression, "r1"),
                Event(4, 2_000, "ann", "y", EventType.Impression, "r1"),
                Event(5, 3_000, "ann", "b", EventType.Click, "r1"),
                Event(6, 4_000, "ann", "c", EventType.Play),
                Event(7, 5_000, "ann", "y", EventType.Play));
        }
        InteractionData data;
        using (var reopened = new SqliteFeedbackStore(path))
        {
            data = new FeedbackInteractionSource(reopened, catalogueDirectory: null, collectShown: true).Load();
        }

        Assert.Equal(["a", "b", "c", "y"], data.Sequences[0].Select(data.Items.IdOf));
        // b was clicked and y played after being shown: only x was passed over, shown after one interaction.
        Assert.Equal([new ShownItem(1, data.Items.TryGetIndex("x", out int x) ? x : -1)], data.Shown![0]);
        Assert.Null(DataSources.Open("sqlite:" + path).Load().Shown);
    }
}
