using System.Security.Cryptography;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Tests.Stores;

/// <summary>
/// What every <see cref="IFeedbackStore"/> must do, run against each implementation (one derived class per store):
/// exactly-once ingestion under replays, conflicts, overlaps and concurrent deliveries; device binding; erasure;
/// the training stream's order; the model records.
/// </summary>
public abstract partial class FeedbackStoreContract
{
    /// <summary>A new, empty store.</summary>
    protected abstract IFeedbackStore NewStore();

    /// <summary>Rows in user_attributes (values and remembered removals) of the store <see cref="NewStore"/> made last, read with SQL.</summary>
    protected abstract long AttributeRows();

    internal static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    internal static EventBatch Batch(string device, long first, int count, string prefix = "item", string user = "user") =>
        EventBatch.Create(device, Enumerable.Range(0, count)
            // Content depends on the sequence alone, so overlapping batches of one device hold the same events.
            .Select(i => new WireEvent(first + i, Now + first + i, user, $"{prefix}-{first + i}", 3, (first + i) % 5,
                (first + i) % 3 == 0 ? new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r1", [WireEvent.RankKey] = "0" } : WireEvent.NoContext))
            .ToList());

    internal static byte[] Hash(EventBatch batch) => SHA256.HashData(WireCodec.Encode(batch));

    [Fact]
    public void A_batch_is_stored_once_and_a_replay_stores_nothing()
    {
        using var store = NewStore();
        var batch = Batch("device-a", 1, 50);

        var first = store.Ingest(batch, Hash(batch));
        var again = store.Ingest(batch, Hash(batch));

        Assert.Equal(new IngestResult(50, 0, false, 50), first);
        Assert.Equal(new IngestResult(0, 50, true, 50), again);
        var counts = store.Counts();
        Assert.Equal((50L, 1L, 1L), (counts.Events, counts.Devices, counts.Batches));
    }

    [Fact]
    public void A_batch_id_reused_for_other_content_is_a_conflict_and_stores_nothing()
    {
        using var store = NewStore();
        var original = Batch("device-a", 1, 10);
        var forged = original with { Events = original.Events.Select(e => e with { ItemId = "forged" }).ToList() };
        store.Ingest(original, Hash(original));

        Assert.Throws<BatchConflictException>(() => store.Ingest(forged, Hash(forged)));
        Assert.DoesNotContain(store.ReadEvents(), e => e.ItemId == "forged");
        Assert.Equal(10, store.Counts().Events);
    }

    [Fact]
    public void Overlapping_batches_store_each_device_and_sequence_once()
    {
        using var store = NewStore();
        var early = Batch("device-a", 1, 30);
        var overlapping = Batch("device-a", 21, 30); // 21..50: 10 already stored
        var otherDevice = Batch("device-b", 1, 30);   // same sequence ids, another device: all new

        store.Ingest(early, Hash(early));
        var result = store.Ingest(overlapping, Hash(overlapping));
        store.Ingest(otherDevice, Hash(otherDevice));

        Assert.Equal((20, 10, false), (result.Stored, result.AlreadyStored, result.Replayed));
        Assert.Equal(80, store.Counts().Events);
        Assert.Equal(80, store.ReadEvents().Select(e => (e.DeviceId, e.Sequence)).Distinct().Count());
    }

    [Fact]
    public async Task The_same_batch_delivered_concurrently_many_times_is_stored_once()
    {
        using var store = NewStore();
        var batches = Enumerable.Range(0, 4).Select(b => Batch("device-c", 1 + b * 100, 100)).ToList();
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() =>
        {
            var batch = batches[i % batches.Count];
            return store.Ingest(batch, Hash(batch));
        })));

        Assert.Equal(400, results.Sum(r => r.Stored));
        Assert.Equal(4, results.Count(r => !r.Replayed));
        Assert.Equal(400, store.Counts().Events);
        Assert.Equal(4, store.Counts().Batches);
    }

    [Fact]
    public async Task A_device_id_binds_to_its_first_secret_even_when_registrations_race()
    {
        using var store = NewStore();
        var secrets = Enumerable.Range(0, 12).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();
        var outcomes = await Task.WhenAll(secrets.Select(secret => Task.Run(() => store.BindDevice("contested", secret))));

        Assert.Equal(1, outcomes.Count(o => o == DeviceBinding.Bound));
        Assert.Equal(11, outcomes.Count(o => o == DeviceBinding.Mismatch));
        byte[] winner = secrets[Array.IndexOf(outcomes, DeviceBinding.Bound)];
        Assert.Equal(DeviceBinding.Matched, store.BindDevice("contested", winner));
        Assert.Equal(DeviceBinding.Bound, store.BindDevice("another", secrets[0]));
    }

    [Fact]
    public void A_device_that_uploaded_before_registering_is_bound_by_its_first_registration()
    {
        using var store = NewStore();
        var batch = Batch("early-device", 1, 5);
        store.Ingest(batch, Hash(batch)); // a row without a secret (an older server registered it)
        byte[] secret = SHA256.HashData("s"u8);

        Assert.Equal(DeviceBinding.Bound, store.BindDevice("early-device", secret));
        Assert.Equal(DeviceBinding.Mismatch, store.BindDevice("early-device", SHA256.HashData("t"u8)));
    }

    [Fact]
    public void Erasing_a_device_removes_its_events_batches_and_id_and_refuses_the_id_from_then_on()
    {
        using var store = NewStore();
        byte[] secret = SHA256.HashData("a"u8);
        store.BindDevice("device-a", secret);
        foreach (var batch in (EventBatch[])[Batch("device-a", 1, 40), Batch("device-b", 1, 25)])
        {
            store.Ingest(batch, Hash(batch));
        }

        Assert.Equal(40, store.EraseDevice("device-a"));
        Assert.Equal(0, store.EraseDevice("device-a"));
        Assert.Equal(0, store.EraseDevice("never-seen"));

        Assert.All(store.ReadEvents(), e => Assert.Equal("device-b", e.DeviceId));
        Assert.Equal((25L, 1L, 1L), (store.Counts().Events, store.Counts().Batches, store.Counts().Devices));
        // Neither its own secret nor another one binds the id again, and nothing sent under it is stored.
        Assert.Equal(DeviceBinding.Erased, store.BindDevice("device-a", secret));
        Assert.Equal(DeviceBinding.Erased, store.BindDevice("device-a", SHA256.HashData("x"u8)));
        Assert.Equal(DeviceBinding.Erased, store.BindDevice("never-seen", secret));
        var resent = Batch("device-a", 1, 40);
        Assert.Throws<DeviceErasedException>(() => store.Ingest(resent, Hash(resent)));
        var later = Batch("device-a", 41, 5);
        Assert.Throws<DeviceErasedException>(() => store.Ingest(later, Hash(later)));
        Assert.Equal(25, store.Counts().Events);
        Assert.Equal(1, store.Counts().Devices);
        // Other devices are untouched.
        var more = Batch("device-b", 26, 5);
        Assert.Equal(5, store.Ingest(more, Hash(more)).Stored);
    }

    [Fact]
    public async Task A_batch_racing_an_erasure_is_erased_with_the_rest_or_refused_never_kept()
    {
        using var store = NewStore();
        store.BindDevice("device-r", SHA256.HashData("r"u8));
        var first = Batch("device-r", 1, 10);
        store.Ingest(first, Hash(first)); // the device's key is known (and cached) before the race
        var racing = Enumerable.Range(0, 20).Select(i => Batch("device-r", 11 + i * 10, 10)).ToList();
        var uploads = racing.Select(b => Task.Run(() =>
        {
            try
            {
                store.Ingest(b, Hash(b));
            }
            catch (DeviceErasedException)
            {
            }
        })).ToList();
        await Task.Delay(2);
        store.EraseDevice("device-r");
        await Task.WhenAll(uploads);

        Assert.DoesNotContain(store.ReadEvents(), e => e.DeviceId == "device-r");
        Assert.Equal(0, store.Counts().Events);
    }

    internal static AttributeBatch Attributes(string device, params AttributeChange[] changes) => AttributeBatch.Create(device, changes);

    internal static List<StoredAttribute> AttributesOf(IFeedbackStore store) => store.ReadAttributes().ToList();

    [Fact]
    public void Attribute_changes_land_once_and_a_resend_applies_nothing()
    {
        using var store = NewStore();
        var batch = Attributes("device-a",
            new AttributeChange(1, Now, "u1", "platform", "android"),
            new AttributeChange(2, Now, "u1", "locale", "de"),
            new AttributeChange(3, Now, "u1", "platform", "ios"),
            new AttributeChange(4, Now, "u2", "platform", "ios"));

        Assert.Equal(new AttributeIngestResult(4, 0, 0, 4), store.IngestAttributes(batch));
        Assert.Equal(new AttributeIngestResult(0, 4, 0, 4), store.IngestAttributes(batch));
        store.IngestAttributes(Attributes("device-b", new AttributeChange(1, Now, "u1", "platform", "web")));

        Assert.Equal(
            [new("device-a", "u1", "locale", "de"), new("device-a", "u1", "platform", "ios"), new("device-a", "u2", "platform", "ios"),
             new StoredAttribute("device-b", "u1", "platform", "web")],
            AttributesOf(store));
    }

    [Fact]
    public void An_older_change_arriving_late_never_overwrites_a_newer_one_nor_undoes_a_removal()
    {
        using var store = NewStore();
        store.IngestAttributes(Attributes("device-a", new AttributeChange(10, Now, "u", "platform", "ios"), new AttributeChange(11, Now, "u", "age", "18-24")));
        store.IngestAttributes(Attributes("device-a", new AttributeChange(12, Now, "u", "age", null)));

        var late = store.IngestAttributes(Attributes("device-a", new AttributeChange(5, Now, "u", "platform", "android"), new AttributeChange(6, Now, "u", "age", "65+")));

        Assert.Equal(new AttributeIngestResult(0, 2, 0, 12), late);
        Assert.Equal([new StoredAttribute("device-a", "u", "platform", "ios")], AttributesOf(store));
        store.IngestAttributes(Attributes("device-a", new AttributeChange(13, Now, "u", "age", "25-34")));
        Assert.Equal(2, AttributesOf(store).Count);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_changes_to_one_key_keep_the_newest()
    {
        using var store = NewStore();
        var batches = Enumerable.Range(1, 40).Select(i => Attributes("device-c", new AttributeChange(i, Now, "u", "level", $"v{i}"))).ToList();
        await Task.WhenAll(batches.Concat(batches).Select(b => Task.Run(() => store.IngestAttributes(b))));
        Assert.Equal([new StoredAttribute("device-c", "u", "level", "v40")], AttributesOf(store));
    }

    [Fact]
    public void Training_reads_each_users_searches_once_and_nothing_else()
    {
        using var store = NewStore();
        var batch = EventBatch.Create("device-a", [
            new WireEvent(1, Now, "u", "Racing", (int)EventType.Search, 0, WireEvent.NoContext),
            new WireEvent(2, Now, "u", "game-1", (int)EventType.Play, 0, WireEvent.NoContext),
            new WireEvent(3, Now, "u", "Racing", (int)EventType.Search, 0, WireEvent.NoContext),
            new WireEvent(4, Now, "v", "puzzle", (int)EventType.Search, 0, WireEvent.NoContext),
        ]);
        store.Ingest(batch, Hash(batch));

        Assert.Equal([new StoredSearch("device-a", "u", "Racing"), new StoredSearch("device-a", "v", "puzzle")],
            store.ReadSearches().OrderBy(s => s.UserId, StringComparer.Ordinal));
    }

    [Fact]
    public void Erasing_a_device_removes_its_attributes_too()
    {
        using var store = NewStore();
        store.IngestAttributes(Attributes("device-a", new AttributeChange(1, Now, "u", "platform", "ios")));
        store.IngestAttributes(Attributes("device-b", new AttributeChange(1, Now, "u", "platform", "web")));

        store.EraseDevice("device-a");

        Assert.Equal([new StoredAttribute("device-b", "u", "platform", "web")], AttributesOf(store));
        // Sent again after the erasure, it is refused: the id takes nothing more.
        Assert.Throws<DeviceErasedException>(() => store.IngestAttributes(Attributes("device-a", new AttributeChange(1, Now, "u", "platform", "ios"))));
        Assert.Equal([new StoredAttribute("device-b", "u", "platform", "web")], AttributesOf(store));
    }

    [Fact]
    public void Training_reads_events_by_device_user_time_and_sequence()
    {
        using var store = NewStore();
        var events = new List<WireEvent>
        {
            new(1, 5_000, "u2", "a", 3, 0, WireEvent.NoContext),
            new(2, 1_000, "u1", "b", 5, 4.5, WireEvent.NoContext),
            new(3, 1_000, "u1", "c", 2, 0, WireEvent.NoContext),
            new(4, 500, "u1", "d", 1, 0, WireEvent.NoContext),
        };
        var batch = EventBatch.Create("device-z", events);
        store.Ingest(batch, Hash(batch));

        var read = store.ReadEvents().ToList();

        Assert.Equal(["d", "b", "c", "a"], read.Select(e => e.ItemId));
        Assert.Equal(new StoredEvent("device-z", "u1", "b", 5, 1_000, 2, 4.5), read[1]);
    }

    [Fact]
    public void Model_records_serving_version_and_training_mark_round_trip()
    {
        using var store = NewStore();
        Assert.Null(store.ServingVersion());
        Assert.Equal(0, store.TrainedThrough);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        store.RecordModel(new ModelRecord(1, created, true, """{"ndcg@10":0.1}""", "published"));
        store.RecordModel(new ModelRecord(2, created, false, "{}", "kept back"));
        store.RecordModel(new ModelRecord(2, created, true, "{}", "published later"));
        store.SetServing(2);
        store.TrainedThrough = 1234;

        Assert.Equal([1L, 2L], store.Models().Select(m => m.Version));
        Assert.Equal(new ModelRecord(2, created, true, "{}", "published later"), store.Models()[1]);
        Assert.Equal(2, store.ServingVersion());
        Assert.Equal(1234, store.TrainedThrough);
    }

    [Fact]
    public void Publishing_stores_the_package_and_the_serving_pointer_together_and_a_version_only_once()
    {
        using var store = NewStore();
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        byte[] package = RandomNumberGenerator.GetBytes(300_000);
        store.RecordModel(new ModelRecord(1, created, false, "{}", "kept back"));
        Assert.Null(store.ModelPackage(1));

        store.PublishModel(new ModelRecord(2, created, true, "{}", "published"), package, serve: true);

        Assert.Equal(package, store.ModelPackage(2));
        Assert.Equal(2, store.ServingVersion());
        Assert.Throws<ModelVersionTakenException>(() =>
            store.PublishModel(new ModelRecord(2, created, true, "{}", "a second trainer"), [1, 2, 3], serve: true));
        Assert.Equal(package, store.ModelPackage(2));
        Assert.Equal("published", store.Models().Single(m => m.Version == 2).Reason);
        store.RecordModel(new ModelRecord(2, created, true, """{"note":1}""", "published")); // a record update keeps the package
        Assert.Equal(package, store.ModelPackage(2));
        store.PublishModel(new ModelRecord(3, created, true, "{}", "published, not served"), [9], serve: false);
        Assert.Equal(2, store.ServingVersion());
    }

    [Fact]
    public void One_training_lease_at_a_time_and_it_can_be_taken_again_after_release()
    {
        using var store = NewStore();
        var first = store.TryAcquireTrainingLease();
        Assert.NotNull(first);
        Assert.True(first.IsHeld);
        Assert.Null(store.TryAcquireTrainingLease());
        first.Dispose();
        using var second = store.TryAcquireTrainingLease();
        Assert.NotNull(second);
        Assert.True(second.IsHeld);
    }

    [Fact]
    public void Retraining_runs_and_ingest_history_round_trip()
    {
        using var store = NewStore();
        var started = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        store.RecordRun(new RetrainingRun(started, 12.5, RetrainingRun.Published, 1, 7, 0.12, 0.05, "popularity", "published: better"));
        store.RecordRun(new RetrainingRun(started.AddHours(1), 0.4, RetrainingRun.Failed, null, 0, null, null, null, "store down"));
        Assert.Equal([RetrainingRun.Failed, RetrainingRun.Published], store.Runs(10).Select(r => r.Outcome));
        Assert.Equal(new RetrainingRun(started, 12.5, RetrainingRun.Published, 1, 7, 0.12, 0.05, "popularity", "published: better"), store.Runs(10)[1]);
        Assert.Single(store.Runs(1));

        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        foreach (var batch in (EventBatch[])[Batch("device-a", 1, 10), Batch("device-b", 1, 5)])
        {
            store.Ingest(batch, Hash(batch));
        }
        var history = store.IngestHistory(since, TimeSpan.FromHours(1));
        var bucket = Assert.Single(history);
        Assert.Equal((2L, 15L, 2L), (bucket.Batches, bucket.Events, bucket.Devices));
    }

    [Fact]
    public void The_newest_event_id_grows_with_every_stored_batch()
    {
        using var store = NewStore();
        var first = Batch("device-a", 1, 10);
        store.Ingest(first, Hash(first));
        long afterFirst = store.Counts().LatestEventId;
        var second = Batch("device-a", 11, 10);
        store.Ingest(second, Hash(second));

        Assert.True(afterFirst >= 10);
        Assert.True(store.Counts().LatestEventId >= afterFirst + 10);
    }
}
