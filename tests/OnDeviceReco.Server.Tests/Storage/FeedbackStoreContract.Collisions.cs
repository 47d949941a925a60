using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Tests.Stores;

// Events arriving under a (device, seq) the store holds already, on every store: the same event sent again is
// already stored; another event under that number (a device whose store was restored from a backup numbers again
// from where the backup stood) is reported conflicting, with the device's highest sequence, and nothing is written for
// it. A batch that hits nothing held reports nothing (no lookup made).
public abstract partial class FeedbackStoreContract
{
    private static List<StoredEvent> EventsOf(IFeedbackStore store, string device) =>
        [.. store.ReadEvents().Where(e => e.DeviceId == device).OrderBy(e => e.Sequence)];

    [Fact]
    public void New_events_report_no_highest_sequence_and_no_conflicts()
    {
        using var store = NewStore();
        var batch = Batch("device-a", 1, 20);
        var result = store.Ingest(batch, Hash(batch));
        Assert.Equal(new IngestResult(20, 0, false, 20), result);
        Assert.Empty(result.ConflictingSequences);
        Assert.Equal(0, result.HighestSequence);
    }

    [Fact]
    public void The_same_events_under_another_batch_are_already_stored_and_name_the_highest_sequence()
    {
        using var store = NewStore();
        var first = Batch("device-a", 1, 30);
        store.Ingest(first, Hash(first));
        var resent = Batch("device-a", 11, 10); // the same events 11..20, in a batch of another shape

        var result = store.Ingest(resent, Hash(resent));

        Assert.Equal(new IngestResult(0, 10, false, 20, HighestSequence: 30), result);
        Assert.Equal(30, store.Counts().Events);
    }

    [Fact]
    public void Other_events_under_held_sequences_are_reported_conflicting_and_not_written()
    {
        using var store = NewStore();
        var before = Batch("device-a", 1, 20);
        store.Ingest(before, Hash(before));
        var held = EventsOf(store, "device-a");
        // A restored store: 16..20 are the events it had sent before its backup (the same), 21..25 other events
        // numbered as the server holds them, 26..30 new numbers.
        var restored = EventBatch.Create("device-a", [.. Batch("device-a", 16, 5).Events, .. Batch("device-a", 21, 10, prefix: "after-restore").Events]);
        var other = Batch("device-a", 21, 5, prefix: "lost-life");
        store.Ingest(other, Hash(other)); // what the store sent between its backup and the restore

        var result = store.Ingest(restored, Hash(restored));

        Assert.Equal(new IngestResult(5, 5, false, 30, HighestSequence: 30, [21, 22, 23, 24, 25]), result);
        var now = EventsOf(store, "device-a");
        Assert.Equal(30, now.Count);
        Assert.Equal(held, now.Take(20));
        Assert.All(now.Skip(20).Take(5), e => Assert.StartsWith("lost-life-", e.ItemId, StringComparison.Ordinal));
        Assert.All(now.Skip(25), e => Assert.StartsWith("after-restore-", e.ItemId, StringComparison.Ordinal));
    }

    public static TheoryData<string, Func<WireEvent, WireEvent>, bool> Changes => new()
    {
        { "nothing", e => e, false },
        { "time 90 s later (a wrong-clock device's correction moved)", e => e with { TimestampMs = e.TimestampMs + 90_000 }, false },
        { "time 10 min later", e => e with { TimestampMs = e.TimestampMs + 600_000 }, true },
        { "item", e => e with { ItemId = e.ItemId + "x" }, true },
        { "user", e => e with { UserId = "someone-else" }, true },
        { "type", e => e with { Type = 4 }, true },
        { "value", e => e with { Value = e.Value + 0.5 }, true },
        { "rank in the context", e => e with { Context = new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r1", [WireEvent.RankKey] = "7" } }, true },
        { "request id", e => e with { Context = new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r2", [WireEvent.RankKey] = "0" } }, true },
        { "context dropped", e => e with { Context = WireEvent.NoContext }, true },
        { "context in another order", e => e with { Context = new Dictionary<string, string> { [WireEvent.RankKey] = "0", [WireEvent.RequestIdKey] = "r1" } }, false },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Each_field_decides_whether_a_held_sequence_holds_the_same_event(string what, Func<WireEvent, WireEvent> change, bool conflicting)
    {
        using var store = NewStore();
        var original = Batch("device-a", 2, 2); // sequence 3 carries a request id and rank
        store.Ingest(original, Hash(original));
        var again = EventBatch.Create("device-a", [change(original.Events[1])]); // another batch (id) over sequence 3

        var result = store.Ingest(again, Hash(again));

        Assert.True(conflicting == result.ConflictingSequences.SequenceEqual([3L]), $"{what}: conflicting {string.Join(",", result.ConflictingSequences)}");
        Assert.Equal((0, conflicting ? 0 : 1, false, 3L), (result.Stored, result.AlreadyStored, result.Replayed, result.HighestSequence));
        Assert.Equal(["item-2", "item-3"], EventsOf(store, "device-a").Select(e => e.ItemId));
    }

    [Fact]
    public void A_replayed_batch_that_met_conflicts_reports_them_again()
    {
        using var store = NewStore();
        var before = Batch("device-a", 1, 10);
        store.Ingest(before, Hash(before));
        var restored = Batch("device-a", 6, 10, prefix: "after-restore"); // 6..10 conflict, 11..15 new

        var first = store.Ingest(restored, Hash(restored));
        var replay = store.Ingest(restored, Hash(restored)); // the answer was lost: the device sends the batch again

        Assert.Equal(new IngestResult(5, 0, false, 15, 15, [6, 7, 8, 9, 10]), first);
        Assert.Equal(new IngestResult(0, 5, true, 15, 15, [6, 7, 8, 9, 10]), replay);
        Assert.Equal(15, store.Counts().Events);
    }

    [Fact]
    public async Task Concurrent_batches_of_many_devices_with_and_without_conflicts_each_get_their_own_answer()
    {
        using var store = NewStore();
        var devices = Enumerable.Range(0, 24).Select(i => $"device-{i:D2}").ToList();
        foreach (var device in devices.Where((_, i) => i % 2 == 0))
        {
            var before = Batch(device, 1, 10);
            store.Ingest(before, Hash(before));
        }
        // Even devices send 6..15 with other items (6..10 conflict); odd ones their first events.
        var results = await Task.WhenAll(devices.Select((device, i) => Task.Run(() =>
        {
            var batch = Batch(device, 6, 10, prefix: "after-restore");
            return (Index: i, Result: store.IngestAsync(batch, Hash(batch)).GetAwaiter().GetResult());
        })));

        foreach (var (index, result) in results)
        {
            var expected = index % 2 == 0
                ? new IngestResult(5, 0, false, 15, 15, [6, 7, 8, 9, 10])
                : new IngestResult(10, 0, false, 15);
            Assert.Equal(expected, result);
        }
        Assert.Equal(12 * 15 + 12 * 10, store.Counts().Events);
    }
}
