using System.Data.Common;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// The model registry and the small state beside it (serving version, how far training has read), the same
// statements on both stores.
public abstract partial class SqlFeedbackStore
{
    private const string ServingVersionKey = "serving_version";
    private const string TrainedThroughKey = "trained_through";

    private const string UpsertModel = """
        INSERT INTO models(version, created_ms, published, metrics, reason) VALUES (@v, @c, @p, @m, @r)
        ON CONFLICT (version) DO UPDATE SET created_ms = excluded.created_ms, published = excluded.published,
            metrics = excluded.metrics, reason = excluded.reason
        """;

    // Only a version without a package may be published: two trainers that raced cannot both publish one number.
    private const string PublishModelRow = """
        INSERT INTO models(version, created_ms, published, metrics, reason, package) VALUES (@v, @c, @p, @m, @r, @pkg)
        ON CONFLICT (version) DO UPDATE SET created_ms = excluded.created_ms, published = excluded.published,
            metrics = excluded.metrics, reason = excluded.reason, package = excluded.package
        WHERE models.package IS NULL
        """;

    public void RecordModel(ModelRecord model) =>
        Write((connection, transaction) => Execute(connection, transaction, UpsertModel, ModelParameters(model)));

    public IReadOnlyList<ModelRecord> Models() => Read(connection => Query(connection, null,
        "SELECT version, created_ms, published, metrics, reason FROM models ORDER BY version",
        r => new ModelRecord(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetBoolean(2), r.GetString(3), r.GetString(4))));

    public void PublishModel(ModelRecord record, byte[] package, bool serve, ExperimentStart? trial = null) => Write((connection, transaction) =>
    {
        if (Execute(connection, transaction, PublishModelRow, [.. ModelParameters(record), ("@pkg", package)]) == 0)
        {
            throw new ModelVersionTakenException(record.Version);
        }
        if (serve)
        {
            SetState(connection, transaction, ServingVersionKey, record.Version);
        }
        if (trial is not null)
        {
            StartExperiment(connection, transaction, trial);
        }
    });

    public byte[]? ModelPackage(long version) => Read(connection =>
        Query(connection, null, "SELECT package FROM models WHERE version = @v AND published AND package IS NOT NULL",
            r => (byte[])r[0], ("@v", version)) is [var package] ? package : null);

    public void SetServing(long version) => Write((connection, transaction) => SetState(connection, transaction, ServingVersionKey, version));

    public long? ServingVersion() => GetState(ServingVersionKey);

    public long TrainedThrough
    {
        get => GetState(TrainedThroughKey) ?? 0;
        set => Write((connection, transaction) => SetState(connection, transaction, TrainedThroughKey, value));
    }

    private static (string Name, object Value)[] ModelParameters(ModelRecord model) =>
        [("@v", model.Version), ("@c", model.CreatedAt.ToUnixTimeMilliseconds()), ("@p", model.Published), ("@m", model.Metrics), ("@r", model.Reason)];

    private static void SetState(DbConnection connection, DbTransaction transaction, string key, long value) =>
        Execute(connection, transaction, "INSERT INTO state(key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("@k", key), ("@v", value));

    private long? GetState(string key) => Read(connection =>
        Query(connection, null, "SELECT value FROM state WHERE key = @k", r => r.GetInt64(0), ("@k", key)) is [long value] ? value : (long?)null);
}
