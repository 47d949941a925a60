using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// The feedback store on PostgreSQL, shared by any number of server nodes. The contract is the SQLite store's:
/// a batch's events and its idempotency record commit in one transaction, <c>(device, seq)</c> is unique, a
/// replay stores nothing, a reused batch id with other content is a conflict. Concurrency is PostgreSQL's, not a
/// process lock: the batch record is inserted first, so a second delivery of the same batch racing on another
/// node waits on that row and then finds it. Batches arriving together are stored by one group commit
/// (<see cref="GroupCommitter"/>): one statement and one commit for many batches, each with its own outcome. A
/// batch whose group failed is stored alone. Training reads events as a stream.
/// </summary>
public sealed partial class PostgresFeedbackStore : IFeedbackStore
{
    private const int MaxCachedDevices = 200_000;
    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommitter _groups;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _deviceKeys = new(StringComparer.Ordinal);

    public PostgresFeedbackStore(string connectionString)
        : this(connectionString, GroupLimits.Default)
    {
    }

    internal PostgresFeedbackStore(string connectionString, GroupLimits groups)
    {
        _dataSource = NpgsqlDataSource.Create(WithDefaults(connectionString));
        PostgresSchema.Migrate(_dataSource);
        _groups = new GroupCommitter(_dataSource, groups);
    }

    /// <summary>
    /// Prepares the statements ingest repeats (parsing and planning them was a quarter of PostgreSQL's time under
    /// load), unless the connection string says otherwise.
    /// </summary>
    private static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }
        return builder.ConnectionString;
    }

    public IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash)
    {
        // Blocks on the group's outcome itself, not on a continuation: a caller on a starved thread pool still wakes.
        byte[] hash = contentHash.ToArray();
        long device = DeviceKey(batch.DeviceId);
        return _groups.Submit(new PendingIngest(device, batch, hash)).GetAwaiter().GetResult() ?? IngestAlone(device, batch, hash);
    }

    /// <summary>Joins the next group commit without holding a thread while the group is written.</summary>
    public async Task<IngestResult> IngestAsync(EventBatch batch, byte[] contentHash)
    {
        long device = DeviceKey(batch.DeviceId);
        return await _groups.Submit(new PendingIngest(device, batch, contentHash)).ConfigureAwait(false)
            ?? IngestAlone(device, batch, contentHash);
    }

    /// <summary>One batch in its own transaction: the path a batch takes when the group it was in failed.</summary>
    private IngestResult IngestAlone(long device, EventBatch batch, byte[] hash)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        bool claimed = Scalar(connection, transaction, """
            INSERT INTO batches(device, batch_id, content_hash, last_seq, stored, already, received_ms)
            VALUES (@device, @id, @hash, @last, 0, 0, @now) ON CONFLICT (device, batch_id) DO NOTHING RETURNING true
            """, ("device", device), ("id", batch.BatchId), ("hash", hash), ("last", batch.LastSequence), ("now", NowMs())) is true;
        if (!claimed)
        {
            var (oldHash, lastSeq, stored, already) = Single(connection, transaction,
                "SELECT content_hash, last_seq, stored, already FROM batches WHERE device = @device AND batch_id = @id",
                r => ((byte[])r[0], r.GetInt64(1), r.GetInt32(2), r.GetInt32(3)), ("device", device), ("id", batch.BatchId));
            if (!CryptographicOperations.FixedTimeEquals(oldHash, hash))
            {
                throw new BatchConflictException(batch.BatchId);
            }
            if (stored + already == batch.Events.Count)
            {
                return new IngestResult(0, batch.Events.Count, Replayed: true, lastSeq);
            }
            // The first delivery found events held with other content: they still are, and the device must hear it again.
            var (replayConflicts, replayHighest) = HeldEvents.Of(connection, transaction, device, batch.Events);
            return new IngestResult(0, batch.Events.Count - replayConflicts.Count, Replayed: true, lastSeq, replayHighest, replayConflicts);
        }
        int newlyStored = InsertEvents(connection, transaction, device, batch.Events);
        var (conflicting, highest) = newlyStored == batch.Events.Count ? (new List<long>(), 0L) : HeldEvents.Of(connection, transaction, device, batch.Events);
        int alreadyStored = batch.Events.Count - newlyStored - conflicting.Count;
        Execute(connection, transaction, "UPDATE batches SET stored = @stored, already = @already WHERE device = @device AND batch_id = @id",
            ("stored", newlyStored), ("already", alreadyStored), ("device", device), ("id", batch.BatchId));
        transaction.Commit();
        return new IngestResult(newlyStored, alreadyStored, Replayed: false, batch.LastSequence, highest, conflicting.Count == 0 ? null : conflicting);
    }

    public DeviceBinding BindDevice(string deviceId, ReadOnlySpan<byte> secretHash)
    {
        byte[] hash = secretHash.ToArray();
        using var connection = _dataSource.OpenConnection();
        // Binds only where no secret is bound yet; the row lock makes two first registrations of one id take turns.
        if (Scalar(connection, null, """
            INSERT INTO devices(device_id, first_seen_ms, secret_hash) VALUES (@d, @now, @h)
            ON CONFLICT (device_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash WHERE devices.secret_hash IS NULL
            RETURNING id
            """, ("d", deviceId), ("now", NowMs()), ("h", hash)) is long boundKey)
        {
            RememberDeviceKey(deviceId, boundKey); // its first batch then needs no lookup
            return DeviceBinding.Bound;
        }
        var (key, known) = Single(connection, null, "SELECT id, secret_hash FROM devices WHERE device_id = @d", r => (r.GetInt64(0), (byte[])r[1]), ("d", deviceId));
        if (!CryptographicOperations.FixedTimeEquals(known, hash))
        {
            return DeviceBinding.Mismatch;
        }
        RememberDeviceKey(deviceId, key);
        return DeviceBinding.Matched;
    }

    public long EraseDevice(string deviceId)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var keys = Query(connection, transaction, "SELECT id FROM devices WHERE device_id = @d", r => r.GetInt64(0), ("d", deviceId));
        if (keys.Count == 0)
        {
            return 0;
        }
        long erased = Execute(connection, transaction, "DELETE FROM events WHERE device = @k", ("k", keys[0]));
        Execute(connection, transaction, "DELETE FROM batches WHERE device = @k", ("k", keys[0]));
        Execute(connection, transaction, "DELETE FROM user_attributes WHERE device = @k", ("k", keys[0]));
        Execute(connection, transaction, "DELETE FROM user_attribute_floors WHERE device = @k", ("k", keys[0]));
        transaction.Commit();
        return erased;
    }

    public FeedbackCounts Counts()
    {
        using var connection = _dataSource.OpenConnection();
        return Single(connection, null, """
            SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM devices), (SELECT count(*) FROM batches),
                   (SELECT coalesce(max(id), 0) FROM events)
            """, r => new FeedbackCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
    }

    public IEnumerable<StoredEvent> ReadEvents()
    {
        using var connection = _dataSource.OpenConnection();
        // One REPEATABLE READ snapshot, rows streamed as they come: training never holds the whole table in memory.
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        using var command = new NpgsqlCommand("""
            SELECT d.device_id, e.user_id, e.item_id, e.type, e.ts_ms, e.seq, e.value
            FROM events e JOIN devices d ON d.id = e.device
            ORDER BY e.device, e.user_id, e.ts_ms, e.seq
            """, connection, transaction)
        {
            CommandTimeout = 0, // sorting millions of rows before the first one arrives is expected, not a hang
        };
        using var reader = command.ExecuteReader(System.Data.CommandBehavior.SequentialAccess);
        while (reader.Read())
        {
            yield return new StoredEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetDouble(6));
        }
    }

    public void RecordModel(ModelRecord model)
    {
        using var connection = _dataSource.OpenConnection();
        Execute(connection, null, """
            INSERT INTO models(version, created_ms, published, metrics, reason) VALUES (@v, @c, @p, @m, @r)
            ON CONFLICT (version) DO UPDATE SET created_ms = EXCLUDED.created_ms, published = EXCLUDED.published,
                metrics = EXCLUDED.metrics, reason = EXCLUDED.reason
            """, ("v", model.Version), ("c", model.CreatedAt.ToUnixTimeMilliseconds()), ("p", model.Published), ("m", model.Metrics), ("r", model.Reason));
    }

    public IReadOnlyList<ModelRecord> Models()
    {
        using var connection = _dataSource.OpenConnection();
        return Query(connection, null, "SELECT version, created_ms, published, metrics, reason FROM models ORDER BY version",
            r => new ModelRecord(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetBoolean(2), r.GetString(3), r.GetString(4)));
    }

    public void PublishModel(ModelRecord record, byte[] package, bool serve)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        // Only a version without a package may be published: two trainers that raced cannot both publish one number.
        int written = Execute(connection, transaction, """
            INSERT INTO models(version, created_ms, published, metrics, reason, package) VALUES (@v, @c, @p, @m, @r, @pkg)
            ON CONFLICT (version) DO UPDATE SET created_ms = EXCLUDED.created_ms, published = EXCLUDED.published,
                metrics = EXCLUDED.metrics, reason = EXCLUDED.reason, package = EXCLUDED.package
            WHERE models.package IS NULL
            """, ("v", record.Version), ("c", record.CreatedAt.ToUnixTimeMilliseconds()), ("p", record.Published), ("m", record.Metrics),
            ("r", record.Reason), ("pkg", package));
        if (written == 0)
        {
            throw new ModelVersionTakenException(record.Version);
        }
        if (serve)
        {
            Execute(connection, transaction, "INSERT INTO state(key, value) VALUES ('serving_version', @v) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                ("v", record.Version));
        }
        transaction.Commit();
    }

    public byte[]? ModelPackage(long version)
    {
        using var connection = _dataSource.OpenConnection();
        var found = Query(connection, null, "SELECT package FROM models WHERE version = @v AND published AND package IS NOT NULL",
            r => (byte[])r[0], ("v", version));
        return found.Count == 1 ? found[0] : null;
    }

    public ITrainingLease? TryAcquireTrainingLease() => PostgresTrainingLease.TryAcquire(_dataSource);

    public void RecordRun(RetrainingRun run)
    {
        using var connection = _dataSource.OpenConnection();
        Execute(connection, null, """
            INSERT INTO retraining_runs(started_ms, seconds, outcome, version, epochs, candidate_ndcg, baseline_ndcg, baseline, detail)
            VALUES (@s, @d, @o, @v, @e, @c, @b, @bn, @x)
            """,
            ("s", run.Started.ToUnixTimeMilliseconds()), ("d", run.Seconds), ("o", run.Outcome), ("v", (object?)run.Version ?? DBNull.Value),
            ("e", run.Epochs), ("c", (object?)run.CandidateNdcg10 ?? DBNull.Value), ("b", (object?)run.BaselineNdcg10 ?? DBNull.Value),
            ("bn", (object?)run.Baseline ?? DBNull.Value), ("x", run.Detail));
    }

    public IReadOnlyList<RetrainingRun> Runs(int limit)
    {
        using var connection = _dataSource.OpenConnection();
        return Query(connection, null, """
            SELECT started_ms, seconds, outcome, version, epochs, candidate_ndcg, baseline_ndcg, baseline, detail
            FROM retraining_runs ORDER BY id DESC LIMIT @limit
            """,
            r => new RetrainingRun(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetDouble(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetInt64(3), r.GetInt32(4), r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetDouble(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8)),
            ("limit", limit));
    }

    public IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket)
    {
        long start = since.ToUnixTimeMilliseconds();
        long width = Math.Max(1, (long)bucket.TotalMilliseconds);
        using var connection = _dataSource.OpenConnection();
        return Query(connection, null, """
            SELECT (received_ms - @since) / @width AS b, count(*), coalesce(sum(stored), 0), count(DISTINCT device)
            FROM batches WHERE received_ms >= @since GROUP BY b ORDER BY b
            """,
            r => new IngestBucket(DateTimeOffset.FromUnixTimeMilliseconds(start + r.GetInt64(0) * width), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
            ("since", start), ("width", width));
    }

    public IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit)
    {
        using var connection = _dataSource.OpenConnection();
        return Query(connection, null, """
            SELECT item_id, count(DISTINCT device) FROM events WHERE type = @impression
            GROUP BY item_id ORDER BY count(DISTINCT device) DESC, item_id COLLATE "C" LIMIT @limit
            """, r => (r.GetString(0), (int)Math.Min(int.MaxValue, r.GetInt64(1))), ("impression", (int)EventType.Impression), ("limit", Math.Max(0, limit)));
    }

    public void SetServing(long version) => SetState("serving_version", version);

    public long? ServingVersion() => GetState("serving_version");

    public long TrainedThrough
    {
        get => GetState("trained_through") ?? 0;
        set => SetState("trained_through", value);
    }

    public void Dispose()
    {
        _groups.Dispose();
        _dataSource.Dispose();
    }

    private static int InsertEvents(NpgsqlConnection connection, NpgsqlTransaction transaction, long device, IReadOnlyList<WireEvent> events)
    {
        int n = events.Count;
        var seq = new long[n];
        var ts = new long[n];
        var user = new string[n];
        var item = new string[n];
        var type = new int[n];
        var value = new double[n];
        var request = new string?[n];
        var context = new string?[n];
        for (int i = 0; i < n; i++)
        {
            var e = events[i];
            (seq[i], ts[i], user[i], item[i], type[i], value[i]) = (e.Sequence, e.TimestampMs, e.UserId, e.ItemId, e.Type, e.Value);
            request[i] = e.RequestId;
            context[i] = EventCollisions.ContextJson(e);
        }
        using var command = new NpgsqlCommand("""
            INSERT INTO events(device, seq, ts_ms, user_id, item_id, type, value, request_id, context)
            SELECT @device, * FROM unnest(@seq, @ts, @user, @item, @type, @value, @request, @context)
            ON CONFLICT (device, seq) DO NOTHING
            """, connection, transaction);
        command.Parameters.AddWithValue("device", device);
        command.Parameters.AddWithValue("seq", seq);
        command.Parameters.AddWithValue("ts", ts);
        command.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = user });
        command.Parameters.Add(new NpgsqlParameter("item", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = item });
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("value", value);
        command.Parameters.Add(new NpgsqlParameter("request", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = request });
        command.Parameters.Add(new NpgsqlParameter("context", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = context });
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// The device's row id: from memory after the first lookup (rows are never deleted, so a key never goes stale).
    /// A device not seen before gets its row in a transaction of its own, committed before its batch is stored.
    /// </summary>
    internal long DeviceKey(string deviceId)
    {
        if (_deviceKeys.TryGetValue(deviceId, out long key))
        {
            return key;
        }
        using (var connection = _dataSource.OpenConnection())
        {
            key = LookUpOrAddDevice(connection, null, deviceId);
        }
        RememberDeviceKey(deviceId, key);
        return key;
    }

    private void RememberDeviceKey(string deviceId, long key)
    {
        if (_deviceKeys.Count >= MaxCachedDevices)
        {
            _deviceKeys.Clear(); // bounded memory; the next lookups refill it
        }
        _deviceKeys[deviceId] = key;
    }

    private static long LookUpOrAddDevice(NpgsqlConnection connection, NpgsqlTransaction? transaction, string deviceId) =>
        Scalar(connection, transaction, """
            WITH inserted AS (
                INSERT INTO devices(device_id, first_seen_ms) VALUES (@d, @now) ON CONFLICT (device_id) DO NOTHING RETURNING id)
            SELECT id FROM inserted UNION ALL SELECT id FROM devices WHERE device_id = @d LIMIT 1
            """, ("d", deviceId), ("now", NowMs())) is long key
            ? key
            // Another node inserted the row after this statement's snapshot was taken: a new statement sees it.
            : (long)Scalar(connection, transaction, "SELECT id FROM devices WHERE device_id = @d", ("d", deviceId))!;

    private void SetState(string key, long value)
    {
        using var connection = _dataSource.OpenConnection();
        Execute(connection, null, "INSERT INTO state(key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            ("k", key), ("v", value));
    }

    private long? GetState(string key)
    {
        using var connection = _dataSource.OpenConnection();
        var values = Query(connection, null, "SELECT value FROM state WHERE key = @k", r => r.GetInt64(0), ("k", key));
        return values.Count == 1 ? values[0] : null;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar();
    }

    private static List<T> Query<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> read,
        params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private static T Single<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> read,
        params (string Name, object Value)[] parameters) =>
        Query(connection, transaction, sql, read, parameters) is [var only] ? only : throw new InvalidOperationException($"Expected one row from: {sql}");
}
