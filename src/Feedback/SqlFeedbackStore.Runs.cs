using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// Retraining runs for the operator's dashboard, the same statements on both stores.
public abstract partial class SqlFeedbackStore
{
    public void RecordRun(RetrainingRun run) => Write((connection, transaction) => Execute(connection, transaction, """
        INSERT INTO retraining_runs(started_ms, seconds, outcome, version, epochs, candidate_ndcg, baseline_ndcg, baseline, detail)
        VALUES (@s, @d, @o, @v, @e, @c, @b, @bn, @x)
        """,
        ("@s", run.Started.ToUnixTimeMilliseconds()), ("@d", run.Seconds), ("@o", run.Outcome), ("@v", (object?)run.Version ?? DBNull.Value),
        ("@e", run.Epochs), ("@c", (object?)run.CandidateNdcg10 ?? DBNull.Value), ("@b", (object?)run.BaselineNdcg10 ?? DBNull.Value),
        ("@bn", (object?)run.Baseline ?? DBNull.Value), ("@x", run.Detail)));

    public IReadOnlyList<RetrainingRun> Runs(int limit) => Read(connection => Query(connection, null, """
        SELECT started_ms, seconds, outcome, version, epochs, candidate_ndcg, baseline_ndcg, baseline, detail
        FROM retraining_runs ORDER BY id DESC LIMIT @limit
        """,
        r => new RetrainingRun(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetDouble(1), r.GetString(2),
            r.IsDBNull(3) ? null : r.GetInt64(3), r.GetInt32(4), r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetDouble(6),
            r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8)),
        ("@limit", limit)));
}
