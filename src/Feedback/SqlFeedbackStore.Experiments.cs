using System.Data.Common;
using OnDeviceReco.Protocol.Wire;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// Online experiments and their decisions, the same statements on both stores.
public abstract partial class SqlFeedbackStore
{
    public void AddExperiment(ExperimentRecord experiment) => StartExperiment(new ExperimentStart(experiment));

    public void StartExperiment(ExperimentStart start) => Write((connection, transaction) => StartExperiment(connection, transaction, start));

    /// <summary>The statements of <see cref="StartExperiment(ExperimentStart)"/> inside the caller's transaction (a publication's too).</summary>
    private static void StartExperiment(DbConnection connection, DbTransaction transaction, ExperimentStart start)
    {
        if (start.Closes is { } closing)
        {
            Decide(connection, transaction, closing, start.ClosedStatus ?? throw new ArgumentException("A closing decision needs the closed experiment's status.", nameof(start)), null);
        }
        var experiment = start.Experiment;
        if (Execute(connection, transaction, """
            INSERT INTO experiments(id, definition, status, started_ms) VALUES (@id, @d, @s, @t) ON CONFLICT (id) DO NOTHING
            """, ("@id", experiment.Id), ("@d", experiment.Definition), ("@s", experiment.Status), ("@t", experiment.StartedAt.ToUnixTimeMilliseconds())) == 0)
        {
            throw new ExperimentExistsException(experiment.Id);
        }
    }

    public IReadOnlyList<ExperimentRecord> Experiments() => Read(connection => Query(connection, null,
        "SELECT id, definition, status, started_ms FROM experiments ORDER BY started_ms, id",
        r => new ExperimentRecord(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)))));

    public void RecordDecision(ExperimentDecision decision, string newStatus, long? servingVersion, DefinitionChange? definition = null) =>
        Write((connection, transaction) => Decide(connection, transaction, decision, newStatus, servingVersion, definition));

    private static void Decide(DbConnection connection, DbTransaction transaction, ExperimentDecision decision, string newStatus, long? servingVersion,
        DefinitionChange? definition = null)
    {
        if (definition is not null && Execute(connection, transaction, "UPDATE experiments SET definition = @n WHERE id = @id AND definition = @o",
            ("@n", definition.Updated), ("@id", decision.ExperimentId), ("@o", definition.Expected)) == 0)
        {
            throw new ExperimentChangedException(decision.ExperimentId);
        }
        Execute(connection, transaction, """
            INSERT INTO experiment_decisions(experiment_id, at_ms, decision, actor, detail) VALUES (@id, @at, @d, @a, @x)
            """, ("@id", decision.ExperimentId), ("@at", decision.At.ToUnixTimeMilliseconds()), ("@d", decision.Decision), ("@a", decision.Actor),
            ("@x", decision.Detail));
        Execute(connection, transaction, "UPDATE experiments SET status = @s WHERE id = @id", ("@s", newStatus), ("@id", decision.ExperimentId));
        if (servingVersion is { } version)
        {
            SetState(connection, transaction, ServingVersionKey, version);
        }
    }

    public IReadOnlyList<ExperimentDecision> Decisions(string experimentId) => Read(connection => Query(connection, null,
        "SELECT experiment_id, at_ms, decision, actor, detail FROM experiment_decisions WHERE experiment_id = @id ORDER BY id",
        r => new ExperimentDecision(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4)),
        ("@id", experimentId)));

    public IEnumerable<ExperimentEvent> ReadExperimentEvents(long sinceMs) => Stream($"""
        SELECT d.device_id, e.user_id, e.item_id, e.type, e.ts_ms, e.request_id, e.context
        FROM events e JOIN devices d ON d.id = e.device
        WHERE e.ts_ms >= {sinceMs} AND e.type IN ({(int)EventType.Impression}, {(int)EventType.Click}, {(int)EventType.Play}, {(int)EventType.Purchase})
        ORDER BY e.device, e.user_id COLLATE {OrdinalCollation}, e.ts_ms, e.seq
        """,
        r => new ExperimentEvent(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4),
            r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)));
}
