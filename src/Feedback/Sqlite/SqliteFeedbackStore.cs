using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using OnDeviceReco.Protocol.Wire;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode, synchronous FULL (an acknowledged batch survives power loss).
/// Writes go through one connection under a lock — SQLite has one writer anyway — and each batch is one
/// transaction holding its events and its idempotency record, so a crash leaves all of it or none. Readers open
/// connections of their own (WAL lets them read while the writer writes). What both stores do alike is
/// <see cref="SqlFeedbackStore"/>'s.
/// </summary>
public sealed class SqliteFeedbackStore : SqlFeedbackStore
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
        // 6: erased devices, by a keyed hash of the id (ErasureMarkers): the id itself is deleted with its data.
        """
        CREATE TABLE erased_devices(
            marker    BLOB    PRIMARY KEY,
            erased_ms INTEGER NOT NULL) WITHOUT ROWID;
        """,
        // 7: online experiments (definition written by the server, status) and every decision taken on them.
        """
        CREATE TABLE experiments(
            id         TEXT    PRIMARY KEY,
            definition TEXT    NOT NULL,
            status     TEXT    NOT NULL,
            started_ms INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE experiment_decisions(
            id            INTEGER PRIMARY KEY,
            experiment_id TEXT    NOT NULL,
            at_ms         INTEGER NOT NULL,
            decision      TEXT    NOT NULL,
            actor         TEXT    NOT NULL,
            detail        TEXT    NOT NULL);
        CREATE INDEX experiment_decisions_by_experiment ON experiment_decisions(experiment_id);
        """,
    ];

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly SemaphoreSlim _trainingLease = new(1, 1);
    private readonly SqliteCommand _insertEvent;

    static SqliteFeedbackStore() => SQLitePCL.Batteries_V2.Init();

    /// <param name="path">The database file (created with its directory when missing).</param>
    /// <param name="erasure">How erased devices are remembered; the server passes its keyed markers, tools that only read may leave it out.</param>
    /// <param name="pseudonyms">What is stored instead of device and user ids; the server passes its keyed pseudonyms, null stores ids as given.</param>
    public SqliteFeedbackStore(string path, ErasureMarkers? erasure = null, IdPseudonyms? pseudonyms = null)
        : base(erasure, pseudonyms)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        // secure_delete: what an erasure deletes is overwritten in the file, not only unlinked from its pages.
        Execute(_writer, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA secure_delete=ON;");
        Execute(_writer, null, Schema);
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
        if (PseudonymiseStoredIds() > 0)
        {
            TruncateLog(); // the ids' old pages leave the log as an erasure's do
        }
    }

    /// <summary>SQLite's default collation compares text with memcmp: byte order.</summary>
    private protected override string OrdinalCollation => "BINARY";

    public override IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash)
    {
        byte[] hash = contentHash.ToArray();
        batch = StoredUsers(batch);
        return Transact((connection, transaction) =>
        {
            var previous = Query(connection, transaction, "SELECT content_hash, stored, already, last_seq, device FROM batches WHERE batch_id = $id",
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
            Execute(connection, transaction, """
                INSERT INTO batches(batch_id, device, content_hash, last_seq, stored, already, received_ms)
                VALUES ($id, $device, $hash, $last, $stored, $already, $now)
                """,
                ("$id", batch.BatchId.ToByteArray()), ("$device", device), ("$hash", hash), ("$last", batch.LastSequence),
                ("$stored", newlyStored), ("$already", alreadyStored), ("$now", NowMs()));
            long highest = collided is null ? 0 : HighestSequence(transaction, device);
            return new IngestResult(newlyStored, alreadyStored, Replayed: false, batch.LastSequence, highest, conflicting.Count == 0 ? null : conflicting);
        });
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
        Single(_writer, transaction, "SELECT coalesce(max(seq), 0) FROM events WHERE device = $d", r => r.GetInt64(0), ("$d", device));

    public override AttributeIngestResult IngestAttributes(AttributeBatch batch) =>
        Transact((connection, transaction) => AttributeIngest.Run(StoredUsers(batch), DeviceKey(transaction, batch.DeviceId), connection, transaction));

    /// <summary>One SQLite file has one server: the lease is this process's, always granted, one trainer at a time.</summary>
    public override ITrainingLease? TryAcquireTrainingLease() => _trainingLease.Wait(0) ? new ProcessLease(_trainingLease) : null;

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

    private protected override T Read<T>(Func<DbConnection, T> read)
    {
        using var connection = OpenReader();
        return read(connection);
    }

    private protected override T Write<T>(Func<DbConnection, DbTransaction, T> write) => Transact(write);

    /// <summary>Runs <paramref name="work"/> on the writer, under the write lock, in one transaction committed when it returns.</summary>
    private T Transact<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            var result = work(_writer, transaction);
            transaction.Commit();
            return result;
        }
    }

    private protected override IEnumerable<T> Stream<T>(string sql, Func<DbDataReader, T> read)
    {
        using var connection = OpenReader();
        using var command = Command(connection, null, sql, []);
        foreach (var row in Rows(command, read, CommandBehavior.Default))
        {
            yield return row;
        }
    }

    private protected override void Close()
    {
        lock (_writeLock)
        {
            _insertEvent.Dispose();
            _writer.Dispose();
        }
    }

    private void Migrate()
    {
        long version = Single(_writer, null, "PRAGMA user_version", r => r.GetInt64(0));
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

    /// <summary>The device's row id; a device not seen before gets its row, unless it was erased.</summary>
    /// <exception cref="DeviceErasedException">When the device was erased.</exception>
    private long DeviceKey(SqliteTransaction transaction, string deviceId)
    {
        string stored = StoredDevice(deviceId);
        if (Scalar(_writer, transaction, "SELECT id FROM devices WHERE device_id = $d", ("$d", stored)) is long known)
        {
            return known;
        }
        if (IsErased(_writer, transaction, Markers.Of(deviceId)))
        {
            throw new DeviceErasedException();
        }
        return (long)Scalar(_writer, transaction, "INSERT INTO devices(device_id, first_seen_ms) VALUES ($d, $now) RETURNING id",
            ("$d", stored), ("$now", NowMs()))!;
    }

    /// <summary>
    /// Empties the write-ahead log into the database and truncates it: the erased rows' old pages live on in the log
    /// until then. Readers in the middle of a read can hold it back; the next erasure (or the next checkpoint SQLite
    /// runs itself, which overwrites the log from its start) catches up.
    /// </summary>
    private protected override void Erased(string deviceId) => TruncateLog();

    private void TruncateLog()
    {
        lock (_writeLock)
        {
            Execute(_writer, null, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA busy_timeout=10000;");
        return connection;
    }
}
