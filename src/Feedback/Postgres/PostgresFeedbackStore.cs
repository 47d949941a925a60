using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using Npgsql;
using OnDeviceReco.Protocol.Wire;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// The feedback store on PostgreSQL, shared by any number of server nodes. The contract is the SQLite store's:
/// a batch's events and its idempotency record commit in one transaction, <c>(device, seq)</c> is unique, a
/// replay stores nothing, a reused batch id with other content is a conflict. Concurrency is PostgreSQL's, not a
/// process lock: the batch record is inserted first, so a second delivery of the same batch racing on another
/// node waits on that row and then finds it. Batches arriving together are stored by one group commit
/// (<see cref="GroupCommitter"/>): one statement and one commit for many batches, each with its own outcome. A
/// batch whose group failed is stored alone. Training reads events as a stream. What both stores do alike is
/// <see cref="SqlFeedbackStore"/>'s.
/// </summary>
public sealed class PostgresFeedbackStore : SqlFeedbackStore
{
    private const int MaxCachedDevices = 200_000;
    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommitter _groups;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _deviceKeys = new(StringComparer.Ordinal);

    /// <param name="connectionString">The database (migrated on open).</param>
    /// <param name="erasure">How erased devices are remembered; the server passes its keyed markers, tools that only read may leave it out.</param>
    /// <param name="pseudonyms">What is stored instead of device and user ids; the server passes its keyed pseudonyms, null stores ids as given.</param>
    public PostgresFeedbackStore(string connectionString, ErasureMarkers? erasure = null, IdPseudonyms? pseudonyms = null)
        : this(connectionString, GroupLimits.Default, erasure, pseudonyms)
    {
    }

    internal PostgresFeedbackStore(string connectionString, GroupLimits groups, ErasureMarkers? erasure = null, IdPseudonyms? pseudonyms = null)
        : base(erasure, pseudonyms)
    {
        _dataSource = NpgsqlDataSource.Create(WithDefaults(connectionString));
        PostgresSchema.Migrate(_dataSource);
        _groups = new GroupCommitter(_dataSource, groups);
        PseudonymiseStoredIds();
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

    /// <summary>"C" compares text byte by byte, whatever collation the database was created with.</summary>
    private protected override string OrdinalCollation => "\"C\"";

    public override IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash)
    {
        // Blocks on the group's outcome itself, not on a continuation: a caller on a starved thread pool still wakes.
        byte[] hash = contentHash.ToArray();
        long device = DeviceKey(batch.DeviceId);
        batch = StoredUsers(batch);
        return _groups.Submit(new PendingIngest(device, batch, hash)).GetAwaiter().GetResult() ?? IngestAloneOrErased(device, batch, hash);
    }

    /// <summary>Joins the next group commit without holding a thread while the group is written.</summary>
    public override async Task<IngestResult> IngestAsync(EventBatch batch, byte[] contentHash)
    {
        long device = DeviceKey(batch.DeviceId);
        batch = StoredUsers(batch);
        return await _groups.Submit(new PendingIngest(device, batch, contentHash)).ConfigureAwait(false)
            ?? IngestAloneOrErased(device, batch, contentHash);
    }

    /// <summary>
    /// <see cref="IngestAlone"/>, where a batch record refused by its foreign key means the device's row went since its
    /// key was looked up: erased (perhaps on another node). The key is forgotten and looked up again, which says so.
    /// </summary>
    /// <exception cref="DeviceErasedException">When the device was erased.</exception>
    private IngestResult IngestAloneOrErased(long device, EventBatch batch, byte[] hash)
    {
        try
        {
            return IngestAlone(device, batch, hash);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            _deviceKeys.TryRemove(batch.DeviceId, out _);
            DeviceKey(batch.DeviceId);
            throw new DeviceErasedException(); // a row came back under the id without a marker: refused all the same
        }
    }

    /// <summary>One batch in its own transaction: the path a batch takes when the group it was in failed.</summary>
    private IngestResult IngestAlone(long device, EventBatch batch, byte[] hash) => Transact((connection, transaction) =>
    {
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
        return new IngestResult(newlyStored, alreadyStored, Replayed: false, batch.LastSequence, highest, conflicting.Count == 0 ? null : conflicting);
    });

    public override AttributeIngestResult IngestAttributes(AttributeBatch batch)
    {
        // The lock on each user's floor row (AttributeIngest) orders two nodes applying batches for one user at once,
        // so the cap holds across nodes too.
        long device = DeviceKey(batch.DeviceId);
        try
        {
            return Transact((connection, transaction) => AttributeIngest.Run(StoredUsers(batch), device, connection, transaction));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            _deviceKeys.TryRemove(batch.DeviceId, out _);
            DeviceKey(batch.DeviceId);
            throw new DeviceErasedException();
        }
    }

    public override ITrainingLease? TryAcquireTrainingLease() => PostgresTrainingLease.TryAcquire(_dataSource);

    private protected override T Read<T>(Func<DbConnection, T> read)
    {
        using var connection = _dataSource.OpenConnection();
        return read(connection);
    }

    private protected override T Write<T>(Func<DbConnection, DbTransaction, T> write) => Transact(write);

    /// <summary>Runs <paramref name="work"/> on a pooled connection in one transaction, committed when it returns.</summary>
    private T Transact<T>(Func<NpgsqlConnection, NpgsqlTransaction, T> work)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var result = work(connection, transaction);
        transaction.Commit();
        return result;
    }

    private protected override IEnumerable<T> Stream<T>(string sql, Func<DbDataReader, T> read)
    {
        using var connection = _dataSource.OpenConnection();
        // One REPEATABLE READ snapshot, rows streamed as they come: training never holds the whole table in memory.
        using var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        using var command = new NpgsqlCommand(sql, connection, transaction)
        {
            CommandTimeout = 0, // sorting millions of rows before the first one arrives is expected, not a hang
        };
        foreach (var row in Rows(command, read, CommandBehavior.SequentialAccess))
        {
            yield return row;
        }
    }

    private protected override void DeviceKnown(string deviceId, long key) => RememberDeviceKey(deviceId, key);

    private protected override string LockRows => " FOR UPDATE";

    private protected override void Erased(string deviceId) => _deviceKeys.TryRemove(deviceId, out _);

    private protected override void Close()
    {
        _groups.Dispose();
        _dataSource.Dispose();
    }

    private static int InsertEvents(NpgsqlConnection connection, NpgsqlTransaction transaction, long device, IReadOnlyList<WireEvent> events)
    {
        using var command = new NpgsqlCommand("""
            INSERT INTO events(device, seq, ts_ms, user_id, item_id, type, value, request_id, context)
            SELECT * FROM unnest(@e_device, @e_seq, @e_ts, @e_user, @e_item, @e_type, @e_value, @e_request, @e_context)
            ON CONFLICT (device, seq) DO NOTHING
            """, connection, transaction);
        EventColumns.Bind(command.Parameters, [(device, events)]);
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// The device's row id: from memory after the first lookup. A device not seen before gets its row in a transaction
    /// of its own, committed before its batch is stored — unless it was erased. A row only goes when its device is
    /// erased; a key remembered past that fails its batch's foreign key (<see cref="IngestAloneOrErased"/>).
    /// </summary>
    /// <exception cref="DeviceErasedException">When the device was erased.</exception>
    internal long DeviceKey(string deviceId)
    {
        if (_deviceKeys.TryGetValue(deviceId, out long key))
        {
            return key;
        }
        byte[] marker = Markers.Of(deviceId);
        key = Transact((connection, transaction) =>
        {
            long found = LookUpOrAddDevice(connection, transaction, StoredDevice(deviceId));
            // After the insert: an erasure racing it has committed by now (the insert waited on its row), so its marker
            // is seen here and the new row is rolled back.
            return IsErased(connection, transaction, marker) ? throw new DeviceErasedException() : found;
        });
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
}
