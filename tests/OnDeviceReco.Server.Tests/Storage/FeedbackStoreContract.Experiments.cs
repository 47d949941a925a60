using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Tests.Stores;

// Experiments on both stores: definitions, decisions with the serving pointer in one transaction, and the events
// their metrics read.
public abstract partial class FeedbackStoreContract
{
    [Fact]
    public void Experiments_and_their_decisions_round_trip_and_a_decision_moves_the_serving_pointer()
    {
        using var store = NewStore();
        var started = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        store.AddExperiment(new ExperimentRecord("v2-vs-v1", """{"Salt":"s"}""", "running", started));
        store.AddExperiment(new ExperimentRecord("v3-vs-v2", "{}", "running", started.AddMinutes(1)));
        Assert.Throws<ExperimentExistsException>(() => store.AddExperiment(new ExperimentRecord("v2-vs-v1", "{}", "running", started)));
        store.SetServing(1);

        store.RecordDecision(new ExperimentDecision("v2-vs-v1", started.AddHours(1), "rollback", "automatic", "loses"), "rolled_back", 1);
        store.RecordDecision(new ExperimentDecision("v2-vs-v1", started.AddHours(2), "promote", "operator", "reversed"), "promoted", 2);
        store.RecordDecision(new ExperimentDecision("v3-vs-v2", started.AddHours(3), "superseded", "automatic", "newer"), "superseded", null);

        Assert.Equal([("v2-vs-v1", "promoted", started), ("v3-vs-v2", "superseded", started.AddMinutes(1))],
            store.Experiments().Select(e => (e.Id, e.Status, e.StartedAt)));
        Assert.Equal("""{"Salt":"s"}""", store.Experiments()[0].Definition);
        Assert.Equal(2, store.ServingVersion());
        Assert.Equal([("rollback", "automatic"), ("promote", "operator")], store.Decisions("v2-vs-v1").Select(d => (d.Decision, d.Actor)));
        Assert.Equal(started.AddHours(2), store.Decisions("v2-vs-v1")[1].At);
        Assert.Empty(store.Decisions("nope"));
    }

    [Fact]
    public void A_decision_rewrites_the_definition_only_if_it_is_still_the_one_read()
    {
        using var store = NewStore();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        store.AddExperiment(new ExperimentRecord("three-arms", "arms-as-read", "running", at));
        store.SetServing(1);

        // One node rolls back an arm: the definition it read is still there, so its rewrite lands with the decision.
        store.RecordDecision(new ExperimentDecision("three-arms", at.AddHours(1), "rollback", "automatic", "treatment-2: loses"), "running", 1,
            new DefinitionChange("arms-as-read", "treatment-2-rolled-back"));
        Assert.Equal([("treatment-2-rolled-back", "running")], store.Experiments().Select(e => (e.Definition, e.Status)));

        // Another node decided from the old definition: nothing of its decision is written.
        Assert.Throws<ExperimentChangedException>(() => store.RecordDecision(
            new ExperimentDecision("three-arms", at.AddHours(2), "promote", "automatic", "treatment-1: wins"), "promoted", 2,
            new DefinitionChange("arms-as-read", "treatment-1-promoted")));
        Assert.Equal([("treatment-2-rolled-back", "running")], store.Experiments().Select(e => (e.Definition, e.Status)));
        Assert.Equal(1, store.ServingVersion());
        Assert.Equal(["rollback"], store.Decisions("three-arms").Select(d => d.Decision));
    }

    [Fact]
    public void A_version_and_the_experiment_trying_it_are_written_together_or_not_at_all()
    {
        using var store = NewStore();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        store.PublishModel(new ModelRecord(1, at, Published: true, "{}", "first"), [1], serve: true);
        store.PublishModel(new ModelRecord(2, at, Published: true, "{}", "second"), [2], serve: false,
            new ExperimentStart(new ExperimentRecord("v2-vs-v1", "{}", "running", at)));
        var v3 = new ModelRecord(3, at.AddHours(1), Published: true, "{}", "third");
        var closes = new ExperimentDecision("v2-vs-v1", at.AddHours(1), "superseded", "automatic", "v3 started");

        // The trial's id is taken: neither the version nor the closing decision is written.
        Assert.Throws<ExperimentExistsException>(() => store.PublishModel(v3, [3], serve: false,
            new ExperimentStart(new ExperimentRecord("v2-vs-v1", "{}", "running", at.AddHours(1)), closes, "superseded")));
        Assert.Null(store.ModelPackage(3));
        Assert.Equal([("v2-vs-v1", "running")], store.Experiments().Select(e => (e.Id, e.Status)));
        Assert.Empty(store.Decisions("v2-vs-v1"));

        store.PublishModel(v3, [3], serve: false, new ExperimentStart(new ExperimentRecord("v3-vs-v1", "{}", "running", at.AddHours(1)), closes, "superseded"));
        Assert.Equal([3], store.ModelPackage(3));
        Assert.Equal(1, store.ServingVersion());
        Assert.Equal([("v2-vs-v1", "superseded"), ("v3-vs-v1", "running")], store.Experiments().Select(e => (e.Id, e.Status)));
        Assert.Equal(["superseded"], store.Decisions("v2-vs-v1").Select(d => d.Decision));

        // The version is taken: its experiment is not started either.
        Assert.Throws<ModelVersionTakenException>(() => store.PublishModel(v3, [3], serve: false,
            new ExperimentStart(new ExperimentRecord("v3-again", "{}", "running", at.AddHours(2)))));
        Assert.DoesNotContain("v3-again", store.Experiments().Select(e => e.Id));
    }

    [Fact]
    public void Experiment_events_are_impressions_and_outcomes_since_a_time_with_their_context()
    {
        using var store = NewStore();
        var arm = new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r1", [ExperimentArmKey] = "e/control" };
        var batch = EventBatch.Create("device-a",
        [
            new WireEvent(1, 1_000, "u", "old", (int)EventType.Impression, 0, arm),
            new WireEvent(2, 5_000, "u", "a", (int)EventType.Impression, 0, arm),
            new WireEvent(3, 6_000, "u", "a", (int)EventType.Rate, 4, WireEvent.NoContext),
            new WireEvent(4, 7_000, "u", "a", (int)EventType.Play, 0, new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r1" }),
            new WireEvent(5, 8_000, "u", "b", (int)EventType.Purchase, 1, WireEvent.NoContext),
        ]);
        store.Ingest(batch, Hash(batch));

        var read = store.ReadExperimentEvents(5_000).ToList();

        Assert.Equal([(5_000L, "a", 7), (7_000L, "a", 3), (8_000L, "b", 4)], read.Select(e => (e.TimestampMs, e.ItemId, e.Type)));
        Assert.Equal("r1", read[0].RequestId);
        Assert.Contains("\"e/control\"", read[0].Context, StringComparison.Ordinal);
        Assert.Null(read[2].Context);
        Assert.All(read, e => Assert.Equal("device-a", e.DeviceId));
    }

    private const string ExperimentArmKey = ExperimentArm.ContextKey;
}
