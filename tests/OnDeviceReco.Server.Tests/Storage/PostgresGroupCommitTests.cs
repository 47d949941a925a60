using Npgsql;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Postgres;
using OnDeviceReco.Server.Tests.Support;
using static OnDeviceReco.Server.Tests.Stores.FeedbackStoreContract;

namespace OnDeviceReco.Server.Tests.Stores;

/// <summary>
/// Group commit on PostgreSQL: many batches in one transaction, each with its own exactly-once outcome, and a group
/// that fails answers none of its members (each is then stored alone). Real PostgreSQL, groups built by hand so
/// their makeup is known.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGroupCommitTests(PostgresFixture postgres)
{
    [Fact]
    public async Task One_group_answers_a_new_a_replayed_a_conflicting_and_a_partly_stored_batch_each_on_its_own()
    {
        string database = postgres.NewDatabase();
        using var store = new PostgresFeedbackStore(database);
        var replayed = Batch("dev-replay", 1, 20);
        var original = Batch("dev-conflict", 1, 10);
        var forged = original with { Events = original.Events.Select(e => e with { ItemId = "forged" }).ToList() };
        var early = Batch("dev-partly", 1, 30);
        store.Ingest(replayed, Hash(replayed));
        store.Ingest(original, Hash(original));
        store.Ingest(early, Hash(early));
        var fresh = Batch("dev-new", 1, 40);
        var overlapping = Batch("dev-partly", 21, 30); // 21..50: 10 stored before under another batch id

        var group = new[] { fresh, replayed, forged, overlapping }.Select(b => new PendingIngest(store.DeviceKey(b.DeviceId), b, Hash(b))).ToList();
        using (var dataSource = NpgsqlDataSource.Create(database))
        {
            GroupIngest.Run(dataSource, group);
        }

        Assert.Equal(new IngestResult(40, 0, false, 40), await group[0].Outcome);
        Assert.Equal(new IngestResult(0, 20, true, 20), await group[1].Outcome);
        await Assert.ThrowsAsync<BatchConflictException>(() => group[2].Outcome);
        Assert.Equal(new IngestResult(20, 10, false, 50, HighestSequence: 50), await group[3].Outcome); // it hit held events: the highest is named
        Assert.Equal(20 + 10 + 50 + 40, store.Counts().Events);
        Assert.DoesNotContain(store.ReadEvents(), e => e.ItemId == "forged");
        Assert.Equal([(20, 0), (10, 0), (30, 0), (20, 10), (40, 0)], RecordedCounts(database));
    }

    [Fact]
    public async Task A_group_reports_a_restored_devices_conflicts_and_sends_a_replay_that_met_conflicts_to_be_answered_alone()
    {
        string database = postgres.NewDatabase();
        using var store = new PostgresFeedbackStore(database);
        foreach (var before in new[] { Batch("dev-restored", 1, 10), Batch("dev-replay", 1, 10) })
        {
            store.Ingest(before, Hash(before));
        }
        var conflicted = Batch("dev-replay", 6, 10, prefix: "after-restore");
        store.Ingest(conflicted, Hash(conflicted)); // its answer was lost; it comes again in the group
        var restored = Batch("dev-restored", 4, 10, prefix: "after-restore"); // 4..10 held with other items, 11..13 new
        var fresh = Batch("dev-new", 1, 10);

        var group = new[] { restored, conflicted, fresh }.Select(b => new PendingIngest(store.DeviceKey(b.DeviceId), b, Hash(b))).ToList();
        using (var dataSource = NpgsqlDataSource.Create(database))
        {
            GroupIngest.Run(dataSource, group);
        }

        Assert.Equal(new IngestResult(3, 0, false, 13, 13, [4, 5, 6, 7, 8, 9, 10]), await group[0].Outcome);
        Assert.Null(await group[1].Outcome);
        Assert.Equal(new IngestResult(10, 0, false, 10), await group[2].Outcome);
        Assert.Equal(new IngestResult(0, 5, true, 15, 15, [6, 7, 8, 9, 10]), store.Ingest(conflicted, Hash(conflicted)));
        Assert.Equal(13 + 15 + 10, store.Counts().Events);
        // Conflicting events count neither as stored nor as already stored.
        Assert.Equal([(3, 0), (5, 0), (10, 0), (10, 0), (10, 0)], RecordedCounts(database).Order());
    }

    [Fact]
    public async Task A_group_PostgreSQL_refuses_answers_none_of_its_members_and_each_is_then_stored_alone()
    {
        string database = postgres.NewDatabase();
        using var store = new PostgresFeedbackStore(database);
        var good = Batch("dev-good", 1, 30);
        var unstorable = Batch("dev-nul", 1, 5, prefix: "nul\0"); // PostgreSQL text cannot hold U+0000
        var group = new[] { good, unstorable }.Select(b => new PendingIngest(store.DeviceKey(b.DeviceId), b, Hash(b))).ToList();

        using (var dataSource = NpgsqlDataSource.Create(database))
        {
            GroupIngest.Run(dataSource, group);
        }

        Assert.All(await Task.WhenAll(group.Select(m => m.Outcome)), Assert.Null);
        Assert.All(group, m => Assert.True(m.RetryAlone));
        Assert.Equal((0L, 0L), (store.Counts().Events, store.Counts().Batches));
        Assert.Equal(new IngestResult(30, 0, false, 30), store.Ingest(good, Hash(good)));
        Assert.Throws<PostgresException>(() => store.Ingest(unstorable, Hash(unstorable)));
        Assert.Equal((30L, 1L), (store.Counts().Events, store.Counts().Batches));
    }

    [Fact]
    public async Task A_group_whose_commit_fails_acknowledges_none_of_its_members()
    {
        string database = postgres.NewDatabase();
        using var store = new PostgresFeedbackStore(database);
        FailCommitsHolding(database, "fails-at-commit");
        var good = Enumerable.Range(0, 6).Select(d => Batch($"dev-{d}", 1, 25)).ToList();
        var poisoned = Batch("dev-poison", 1, 25, prefix: "fails-at-commit");
        var group = good.Append(poisoned).Select(b => new PendingIngest(store.DeviceKey(b.DeviceId), b, Hash(b))).ToList();

        using (var dataSource = NpgsqlDataSource.Create(database))
        {
            GroupIngest.Run(dataSource, group);
        }

        Assert.All(await Task.WhenAll(group.Select(m => m.Outcome)), Assert.Null);
        Assert.All(group, m => Assert.True(m.RetryAlone));
        Assert.Equal((0L, 0L), (store.Counts().Events, store.Counts().Batches));
        // Through the store, concurrently: the good batches end stored once each; the poisoned one fails alone.
        var outcomes = await Task.WhenAll(good.Append(poisoned).Select(b => Task.Run(() =>
        {
            try
            {
                return store.Ingest(b, Hash(b)).Stored;
            }
            catch (PostgresException)
            {
                return -1;
            }
        })));
        Assert.Equal([25, 25, 25, 25, 25, 25, -1], outcomes);
        Assert.Equal((150L, 6L), (store.Counts().Events, store.Counts().Batches));
    }

    [Fact]
    public async Task Two_nodes_receiving_the_same_batches_at_once_store_each_exactly_once()
    {
        string database = postgres.NewDatabase();
        using var nodeA = new PostgresFeedbackStore(database);
        using var nodeB = new PostgresFeedbackStore(database);
        var batches = Enumerable.Range(0, 40).SelectMany(d => Enumerable.Range(0, 4).Select(b => Batch($"dev-{d}", 1 + b * 25, 25))).ToList();
        // Every batch three times, across both nodes, all at once and shuffled: groups on both nodes race for the same records.
        var deliveries = batches.SelectMany(b => new[] { (Node: nodeA, Batch: b), (Node: nodeB, Batch: b), (Node: nodeA, Batch: b) })
            .OrderBy(_ => Random.Shared.Next()).ToList();

        var results = await Task.WhenAll(deliveries.Select(d => Task.Run(() => d.Node.Ingest(d.Batch, Hash(d.Batch)))));

        Assert.Equal(40 * 100, results.Sum(r => r.Stored));
        Assert.Equal(batches.Count, results.Count(r => !r.Replayed));
        Assert.All(results.Where(r => r.Replayed), r => Assert.Equal(0, r.Stored));
        Assert.Equal((4000L, 160L), (nodeA.Counts().Events, nodeA.Counts().Batches));
    }

    private static List<(int Stored, int Already)> RecordedCounts(string database)
    {
        using var dataSource = NpgsqlDataSource.Create(database);
        using var command = dataSource.CreateCommand("SELECT stored, already FROM batches ORDER BY device, already");
        using var reader = command.ExecuteReader();
        var rows = new List<(int, int)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }
        return rows;
    }

    /// <summary>A deferred constraint trigger: checked at COMMIT, so the statement succeeds and the commit itself fails.</summary>
    private static void FailCommitsHolding(string database, string itemPrefix)
    {
        using var dataSource = NpgsqlDataSource.Create(database);
        using var command = dataSource.CreateCommand($$"""
            CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF NEW.item_id LIKE '{{itemPrefix}}%' THEN RAISE EXCEPTION 'refused at commit'; END IF;
                RETURN NULL;
            END $f$;
            CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON events
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();
            """);
        command.ExecuteNonQuery();
    }
}
