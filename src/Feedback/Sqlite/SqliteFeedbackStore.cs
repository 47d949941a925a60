using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode, synchronous FULL (an acknowledged batch survives power loss).
/// Writes go through one connection under a lock — SQLite has one writer anyway — and each batch is one
/// transaction holding its events and its idempotency record, so a crash leaves all of it or none.
/// </summary>
public sealed partial class SqliteFeedbackStore : IFeedbackStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS devices(
            id            INTEGER PRIMARY KEY,
            device_id     TEXT    NOT NULL UNIQUE,
            first_seen_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS events(
            id         INTEGER PRIMARY KEY,
            device     INTEGER NOT NULL,
            seq        INTEGER NOT NULL,
            ts_ms      INTEGER NOT NULL,
            user_id    TEXT    NOT NULL,
            item_id    TEXT    NOT NULL,
            type       INTEGER NOT NULL,
            value      REAL    NOT NULL,
            request_id TEXT,
            context    TEXT,
            UNIQUE(device, seq));
        CREATE TABLE IF NOT EXISTS batches(
            batch_id     BLOB    PRIMARY KEY,
            device       INTEGER NOT NULL,
            content_hash BLOB    NOT NULL,
            last_seq     INTEGER NOT NULL,
            stored       INTEGER NOT NULL,
            already      INTEGER NOT NULL,
            received_ms  INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS batches_by_device ON batches(device);
        CREATE TABLE IF NOT EXISTS models(
            version    INTEGER PRIMARY KEY,
            created_ms INTEGER NOT NULL,
            published  INTEGER NOT NULL,
            metrics    TEXT    NOT NULL,
            reason     TEXT    NOT NULL);
        CREATE TABLE IF NOT EXISTS state(
            key   TEXT PRIMARY KEY,
            value INTEGER NOT NULL) WITHOUT ROWID;
        """;

    // Forward steps over the first schema above; PRAGMA user_version counts those run. Never edit a shipped step.
    private static readonly string[] Migrations =
    [
        // 1: each device id is bound to the SHA-256 of a secret only that device holds.
        "ALTER TABLE devices ADD COLUMN secret_hash BLOB;",
        // 2: retraining runs for the dashboard; batches by arrival time for its ingest chart.
        """
        CREATE TABLE retraining_runs(
            id             INTEGER PRIMARY KEY,
            started_ms     INTEGER NOT NULL,
            seconds        REAL    NOT NULL,
            outcome        TEXT    NOT NULL,
            version        INTEGER,
            epochs         INTEGER NOT NULL,
            candidate_ndcg REAL,
            baseline_ndcg  REAL,
            baseline       TEXT,
            detail         TEXT    NOT NULL);
        CREATE INDEX batches_by_time ON batches(received_ms);
        """,
        // 3: the package devices download lives with its model record, so publishing is one transaction.
        "ALTER TABLE models ADD COLUMN package BLOB;",
        // 4: user attributes per (device, user, key): the newest change wins; value NULL is a removal.
        """
        CREATE TABLE user_attributes(
            device     INTEGER NOT NULL,
            user_id    TEXT    NOT NULL,
            key        TEXT    NOT NULL,
            value      TEXT,
            change_seq INTEGER NOT NULL,
            ts_ms      INTEGER NOT NULL,
            PRIMARY KEY (device, user_id, key)) WITHOUT ROWID;
        """,
        // 5: per (device, user) the newest change number pruned by the attribute cap (AttributeIngest); its row lock
        // also orders batches for one user.
        """
        CREATE TABLE user_attribute_floors(
            device    INTEGER NOT NULL,
            user_id   TEXT    NOT NULL,
            floor_seq INTEGER NOT NULL,
            PRIMARY KEY (device, user_id)) WITHOUT ROWID;
        """,
    ];

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly SemaphoreSlim _trainingLease = new(1, 1);
    private readonly SqliteCommand _insertEvent;

    static SqliteFeedbackStore() => SQLitePCL.Batteries_V2.Init();

    public SqliteFeedbackStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        Execute(_writer, Schema);
        Migrate();
        _insertEvent = _writer.CreateCommand();
        _insertEvent.CommandText = """
            INSERT OR IGNORE INTO events(device, seq, ts_ms, user_id, item_id, type, value, request_id, context)
            VALUES ($device, $seq, $ts, $user, $item, $type, $value, $request, $context)
            """;
        foreach (string name in (string[])["$device", "$seq", "$ts", "$user", "$item", "$type", "$value", "$request", "$context"])
        {
            _insertEvent.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        _insertEvent.Prepare();
    }

    public IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash)
    {
        byte[] hash = contentHash.ToArray();
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            var previous = Query(_writer, transaction, "SELECT content_hash, stored, already, last_seq, device FROM batches WHERE batch_id = $id",
                reader => ((byte[])reader[0], reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)),
                ("$id", batch.BatchId.ToByteArray()));
            if (previous.Count == 1)
            {
                var (oldHash, stored, already, lastSeq, known) = previous[0];
                if (!oldHash.AsSpan().SequenceEqual(hash))
                {
                    throw new BatchConflictException(batch.BatchId);
                }
                if (stored + already == batch.Events.Count)
                {
                    // Nothing is new this time: every event of the batch was already stored by its first delivery.
                    return new IngestResult(0, batch.Events.Count, Replayed: true, lastSeq);
                }
                // The first delivery found events held with other content: they still are, and the device must hear it again.
                var conflicts = EventCollisions.Conflicting(batch.Events, Held(transaction, known, batch.Events));
                return new IngestResult(0, batch.Events.Count - conflicts.Count, Replayed: true, lastSeq, HighestSequence(transaction, known), conflicts);
            }
            long device = DeviceKey(transaction, batch.DeviceId);
            int newlyStored = 0;
            List<WireEvent>? collided = null;
            _insertEvent.Transaction = transaction;
            _insertEvent.Parameters[0].Value = device;
            foreach (var e in batch.Events)
            {
                _insertEvent.Parameters[1].Value = e.Sequence;
                _insertEvent.Parameters[2].Value = e.TimestampMs;
                _insertEvent.Parameters[3].Value = e.UserId;
                _insertEvent.Parameters[4].Value = e.ItemId;
                _insertEvent.Parameters[5].Value = e.Type;
                _insertEvent.Parameters[6].Value = e.Value;
                _insertEvent.Parameters[7].Value = (object?)e.RequestId ?? DBNull.Value;
                _insertEvent.Parameters[8].Value = (object?)EventCollisions.ContextJson(e) ?? DBNull.Value;
                if (_insertEvent.ExecuteNonQuery() == 1)
                {
                    newlyStored++;
                }
                else
                {
                    (collided ??= []).Add(e);
                }
            }
            List<long> conflicting = collided is null ? [] : EventCollisions.Conflicting(collided, Held(transaction, device, collided));
            int alreadyStored = batch.Events.Count - newlyStored - conflicting.Count;
            Execute(_writer, transaction, """
                INSERT INTO batches(batch_id, device, content_hash, last_seq, stored, already, received_ms)
                VALUES ($id, $device, $hash, $last, $stored, $already, $now)
                """,
                ("$id", batch.BatchId.ToByteArray()), ("$device", device), ("$hash", hash), ("$last", batch.LastSequence),
                ("$stored", newlyStored), ("$already", alreadyStored), ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            long highest = collided is null ? 0 : HighestSequence(transaction, device);
            transaction.Commit();
            return new IngestResult(newlyStored, alreadyStored, Replayed: false, batch.LastSequence, highest, conflicting.Count == 0 ? null : conflicting);
        }
    }

    /// <summary>What the device's rows under the sequences of <paramref name="events"/> hold (the rare path: they hit the unique key).</summary>
    private Dictionary<long, HeldEvent> Held(SqliteTransaction transaction, long device, IEnumerable<WireEvent> events)
    {
        var held = new Dictionary<long, HeldEvent>();
        foreach (var e in events)
        {
            foreach (var row in Query(_writer, transaction,
                "SELECT seq, ts_ms, user_id, item_id, type, value, request_id, context FROM events WHERE device = $d AND seq = $s",
                r => new HeldEvent(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetDouble(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)),
                ("$d", device), ("$s", e.Sequence)))
            {
                held[row.Sequence] = row;
            }
        }
        return held;
    }

    private long HighestSequence(SqliteTransaction transaction, long device) =>
        Query(_writer, transaction, "SELECT coalesce(max(seq), 0) FROM events WHERE device = $d", r => r.GetInt64(0), ("$d", device))[0];

    public DeviceBinding BindDevice(string deviceId, ReadOnlySpan<byte> secretHash)
    {
        byte[] hash = secretHash.ToArray();
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            var known = Query(_writer, transaction, "SELECT secret_hash FROM devices WHERE device_id = $d",
                r => r.IsDBNull(0) ? null : (byte[])r[0], ("$d", deviceId));
            if (known.Count == 1 && known[0] is { } bound)
            {
                return CryptographicOperations.FixedTimeEquals(bound, hash) ? DeviceBinding.Matched : DeviceBinding.Mismatch;
            }
            Execute(_writer, transaction, """
                INSERT INTO devices(device_id, first_seen_ms, secret_hash) VALUES ($d, $now, $h)
                ON CONFLICT(device_id) DO UPDATE SET secret_hash = excluded.secret_hash WHERE secret_hash IS NULL
                """, ("$d", deviceId), ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$h", hash));
            transaction.Commit();
            return DeviceBinding.Bound;
        }
    }

    public long EraseDevice(string deviceId)
    {
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            var keys = Query(_writer, transaction, "SELECT id FROM devices WHERE device_id = $d", r => r.GetInt64(0), ("$d", deviceId));
            if (keys.Count == 0)
            {
                return 0;
            }
            long erased = Execute(_writer, transaction, "DELETE FROM events WHERE device = $k", ("$k", keys[0]));
            Execute(_writer, transaction, "DELETE FROM batches WHERE device = $k", ("$k", keys[0]));
            Execute(_writer, transaction, "DELETE FROM user_attributes WHERE device = $k", ("$k", keys[0]));
            Execute(_writer, transaction, "DELETE FROM user_attribute_floors WHERE device = $k", ("$k", keys[0]));
            transaction.Commit();
            return erased;
        }
    }

    public FeedbackCounts Counts()
    {
        using var connection = OpenReader();
        return Query(connection, null, """
            SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM devices), (SELECT count(*) FROM batches),
                   (SELECT coalesce(max(id), 0) FROM events)
            """, r => new FeedbackCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)))[0];
    }

    public IEnumerable<StoredEvent> ReadEvents()
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.device_id, e.user_id, e.item_id, e.type, e.ts_ms, e.seq, e.value
            FROM events e JOIN devices d ON d.id = e.device
            ORDER BY e.device, e.user_id, e.ts_ms, e.seq
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetDouble(6));
        }
    }

    public void RecordModel(ModelRecord model)
    {
        lock (_writeLock)
        {
            Execute(_writer, null, """
                INSERT INTO models(version, created_ms, published, metrics, reason) VALUES ($v, $c, $p, $m, $r)
                ON CONFLICT(version) DO UPDATE SET created_ms = excluded.created_ms, published = excluded.published,
                    metrics = excluded.metrics, reason = excluded.reason
                """,
                ("$v", model.Version), ("$c", model.CreatedAt.ToUnixTimeMilliseconds()), ("$p", model.Published ? 1 : 0),
                ("$m", model.Metrics), ("$r", model.Reason));
        }
    }

    public void PublishModel(ModelRecord record, byte[] package, bool serve)
    {
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            bool taken = Query(_writer, transaction, "SELECT 1 FROM models WHERE version = $v AND package IS NOT NULL", r => true, ("$v", record.Version)).Count > 0;
            if (taken)
            {
                throw new ModelVersionTakenException(record.Version);
            }
            Execute(_writer, transaction, """
                INSERT INTO models(version, created_ms, published, metrics, reason, package) VALUES ($v, $c, $p, $m, $r, $pkg)
                ON CONFLICT(version) DO UPDATE SET created_ms = excluded.created_ms, published = excluded.published,
                    metrics = excluded.metrics, reason = excluded.reason, package = excluded.package
                """,
                ("$v", record.Version), ("$c", record.CreatedAt.ToUnixTimeMilliseconds()), ("$p", record.Published ? 1 : 0),
                ("$m", record.Metrics), ("$r", record.Reason), ("$pkg", package));
            if (serve)
            {
                Execute(_writer, transaction, "INSERT OR REPLACE INTO state(key, value) VALUES ('serving_version', $v)", ("$v", record.Version));
            }
            transaction.Commit();
        }
    }

    public byte[]? ModelPackage(long version)
    {
        using var connection = OpenReader();
        var found = Query(connection, null, "SELECT package FROM models WHERE version = $v AND published = 1 AND package IS NOT NULL",
            r => (byte[])r[0], ("$v", version));
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>One SQLite file has one server: the lease is this process's, always granted, one trainer at a time.</summary>
    public ITrainingLease? TryAcquireTrainingLease() => _trainingLease.Wait(0) ? new ProcessLease(_trainingLease) : null;

    private sealed class ProcessLease(SemaphoreSlim gate) : ITrainingLease
    {
        private int _released;

        public bool IsHeld => Volatile.Read(ref _released) == 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    public IReadOnlyList<ModelRecord> Models()
    {
        using var connection = OpenReader();
        return Query(connection, null, "SELECT version, created_ms, published, metrics, reason FROM models ORDER BY version",
            r => new ModelRecord(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2) == 1, r.GetString(3), r.GetString(4)));
    }

    public void RecordRun(RetrainingRun run)
    {
        lock (_writeLock)
        {
            Execute(_writer, null, """
                INSERT INTO retraining_runs(started_ms, seconds, outcome, version, epochs, candidate_ndcg, baseline_ndcg, baseline, detail)
                VALUES ($s, $d, $o, $v, $e, $c, $b, $bn, $x)
                """,
                ("$s", run.Started.ToUnixTimeMilliseconds()), ("$d", run.Seconds), ("$o", run.Outcome), ("$v", (object?)run.Version ?? DBNull.Value),
                ("$e", run.Epochs), ("$c", (object?)run.CandidateNdcg10 ?? DBNull.Value), ("$b", (object?)run.BaselineNdcg10 ?? DBNull.Value),
                ("$bn", (object?)run.Baseline ?? DBNull.Value), ("$x", run.Detail));
        }
    }

    public IReadOnlyList<RetrainingRun> Runs(int limit)
    {
        using var connection = OpenReader();
        return Query(connection, null, """
            SELECT started_ms, seconds, outcome, version, epochs, candidate_ndcg, baseline_ndcg, baseline, detail
            FROM retraining_runs ORDER BY id DESC LIMIT $limit
            """,
            r => new RetrainingRun(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetDouble(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetInt64(3), r.GetInt32(4), r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetDouble(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8)),
            ("$limit", limit));
    }

    public IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket)
    {
        long start = since.ToUnixTimeMilliseconds();
        long width = Math.Max(1, (long)bucket.TotalMilliseconds);
        using var connection = OpenReader();
        return Query(connection, null, """
            SELECT (received_ms - $since) / $width AS b, count(*), sum(stored), count(DISTINCT device)
            FROM batches WHERE received_ms >= $since GROUP BY b ORDER BY b
            """,
            r => new IngestBucket(DateTimeOffset.FromUnixTimeMilliseconds(start + r.GetInt64(0) * width), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
            ("$since", start), ("$width", width));
    }

    public IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit)
    {
        using var connection = OpenReader();
        return Query(connection, null, """
            SELECT item_id, count(DISTINCT device) FROM events WHERE type = $impression
            GROUP BY item_id ORDER BY count(DISTINCT device) DESC, item_id LIMIT $limit
            """, r => (r.GetString(0), (int)Math.Min(int.MaxValue, r.GetInt64(1))), ("$impression", (int)EventType.Impression), ("$limit", Math.Max(0, limit)));
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
        lock (_writeLock)
        {
            _insertEvent.Dispose();
            _writer.Dispose();
        }
    }

    private void Migrate()
    {
        long version = Query(_writer, null, "PRAGMA user_version", r => r.GetInt64(0))[0];
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException($"The feedback store has schema version {version}; this server understands up to {Migrations.Length}.");
        }
        for (long step = version; step < Migrations.Length; step++)
        {
            using var transaction = _writer.BeginTransaction();
            Execute(_writer, transaction, Migrations[step]);
            Execute(_writer, transaction, $"PRAGMA user_version = {step + 1}");
            transaction.Commit();
        }
    }

    private long DeviceKey(SqliteTransaction transaction, string deviceId)
    {
        Execute(_writer, transaction, "INSERT OR IGNORE INTO devices(device_id, first_seen_ms) VALUES ($d, $now)",
            ("$d", deviceId), ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        return Query(_writer, transaction, "SELECT id FROM devices WHERE device_id = $d", r => r.GetInt64(0), ("$d", deviceId))[0];
    }

    private void SetState(string key, long value)
    {
        lock (_writeLock)
        {
            Execute(_writer, null, "INSERT OR REPLACE INTO state(key, value) VALUES ($k, $v)", ("$k", key), ("$v", value));
        }
    }

    private long? GetState(string key)
    {
        using var connection = OpenReader();
        var values = Query(connection, null, "SELECT value FROM state WHERE key = $k", r => r.GetInt64(0), ("$k", key));
        return values.Count == 1 ? values[0] : null;
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=10000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql) => Execute(connection, null, sql);

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> read,
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

    /// <summary>A command for <paramref name="sql"/> in <paramref name="transaction"/> (if any) with <paramref name="parameters"/> bound by name.</summary>
    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }
}
