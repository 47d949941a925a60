using System.Security.Cryptography;
using Npgsql;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// Stores a group of batches (at most one per device) in one transaction: one statement claims every batch record
/// and inserts the events of the claimed ones, and one commit makes them durable together. Each batch keeps its own
/// exactly-once outcome: its record and its events commit in this transaction or not at all; a batch whose record
/// another delivery committed first is answered from that record (replayed, or a conflict when its content
/// differs). Nothing is answered before the commit has returned. Only a batch some of whose events were held already
/// (fewer stored than sent) has them compared with what is held (<see cref="HeldEvents"/>): a group of new events
/// runs the one statement and nothing else.
/// </summary>
internal static class GroupIngest
{
    // Claim first, then events, like the single-batch path: a delivery racing on another node waits on the claimed
    // record row and then finds it. Claims and events go in sorted order, so two groups never wait on each other in
    // a cycle. Only claimed batches' events are inserted (the join), each (device, seq) once (ON CONFLICT).
    private const string ClaimAndInsert = """
        WITH claimed AS (
            INSERT INTO batches(device, batch_id, content_hash, last_seq, stored, already, received_ms)
            SELECT device, batch_id, hash, last_seq, n, 0, @now
            FROM unnest(@b_device, @b_id, @b_hash, @b_last, @b_count) AS b(device, batch_id, hash, last_seq, n)
            ORDER BY device, batch_id
            ON CONFLICT (device, batch_id) DO NOTHING
            RETURNING device, batch_id),
        fresh AS (
            INSERT INTO events(device, seq, ts_ms, user_id, item_id, type, value, request_id, context)
            SELECT e.device, e.seq, e.ts, e.u, e.i, e.t, e.v, e.r, e.c
            FROM unnest(@e_device, @e_seq, @e_ts, @e_user, @e_item, @e_type, @e_value, @e_request, @e_context)
                AS e(device, seq, ts, u, i, t, v, r, c)
            JOIN claimed USING (device)
            ORDER BY e.device, e.seq
            ON CONFLICT (device, seq) DO NOTHING
            RETURNING device)
        SELECT claimed.device, coalesce(counts.n, 0)::int
        FROM claimed LEFT JOIN (SELECT device, count(*) AS n FROM fresh GROUP BY device) AS counts USING (device)
        """;

    /// <summary>
    /// Runs the group and completes every member. A failure of the whole group (deadlock, lost connection, a
    /// failing commit) answers no member: each is sent back to be stored alone.
    /// </summary>
    public static void Run(NpgsqlDataSource dataSource, IReadOnlyList<PendingIngest> group)
    {
        var outcomes = new Action[group.Count];
        try
        {
            using var connection = dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var storedByDevice = ClaimAndStore(connection, transaction, group);
            var collisions = FixPartlyStoredBatches(connection, transaction, group, storedByDevice);
            var records = RecordsOfUnclaimed(connection, transaction, group, storedByDevice);
            for (int i = 0; i < group.Count; i++)
            {
                outcomes[i] = Outcome(group[i], storedByDevice, collisions, records);
            }
            transaction.Commit();
        }
        catch (Exception)
        {
            // Whatever went wrong (deadlock, lost connection, a failing commit, a value PostgreSQL refuses), no member
            // was answered and the writer thread must live on: each member learns its fate alone.
            foreach (var member in group)
            {
                member.SendBackToRetryAlone();
            }
            return;
        }
        foreach (var answer in outcomes)
        {
            answer();
        }
    }

    private static Action Outcome(PendingIngest member, Dictionary<long, int> storedByDevice,
        Dictionary<long, (List<long> Conflicting, long Highest)> collisions, Dictionary<long, Record> records)
    {
        int count = member.Batch.Events.Count;
        if (storedByDevice.TryGetValue(member.Device, out int stored))
        {
            var result = collisions.TryGetValue(member.Device, out var collided)
                ? new IngestResult(stored, count - stored - collided.Conflicting.Count, Replayed: false, member.Batch.LastSequence, collided.Highest,
                    collided.Conflicting.Count == 0 ? null : collided.Conflicting)
                : new IngestResult(stored, count - stored, Replayed: false, member.Batch.LastSequence);
            return () => member.Complete(result);
        }
        if (!records.TryGetValue(member.Device, out var record))
        {
            // Claimed by another delivery, then erased before this statement looked: settle it on its own.
            return member.SendBackToRetryAlone;
        }
        if (!CryptographicOperations.FixedTimeEquals(record.Hash, member.ContentHash))
        {
            var conflict = new BatchConflictException(member.Batch.BatchId);
            return () => member.Fail(conflict);
        }
        if (record.Stored + record.Already != count)
        {
            // Its first delivery found events held with other content: the single-batch path says which, again.
            return member.SendBackToRetryAlone;
        }
        var replay = new IngestResult(0, count, Replayed: true, record.LastSeq);
        return () => member.Complete(replay);
    }

    /// <summary>Claims the records and inserts the claimed batches' events; how many events were new, per device that claimed.</summary>
    private static Dictionary<long, int> ClaimAndStore(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PendingIngest> group)
    {
        using var command = new NpgsqlCommand(ClaimAndInsert, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        p.AddWithValue("b_device", group.Select(m => m.Device).ToArray());
        p.AddWithValue("b_id", group.Select(m => m.Batch.BatchId).ToArray());
        p.AddWithValue("b_hash", group.Select(m => m.ContentHash).ToArray());
        p.AddWithValue("b_last", group.Select(m => m.Batch.LastSequence).ToArray());
        p.AddWithValue("b_count", group.Select(m => m.Batch.Events.Count).ToArray());
        EventColumns.Bind(p, [.. group.Select(m => (m.Device, m.Batch.Events))]);
        var stored = new Dictionary<long, int>(group.Count);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            stored[reader.GetInt64(0)] = reader.GetInt32(1);
        }
        return stored;
    }

    /// <summary>
    /// A claimed record was written as "all new"; where some events were held already it says what really happened:
    /// those events are compared with what is held (conflicting ones were not written) and the device's highest
    /// sequence read. Returns both per device of such a batch.
    /// </summary>
    private static Dictionary<long, (List<long> Conflicting, long Highest)> FixPartlyStoredBatches(NpgsqlConnection connection,
        NpgsqlTransaction transaction, IReadOnlyList<PendingIngest> group, Dictionary<long, int> storedByDevice)
    {
        var collisions = new Dictionary<long, (List<long>, long)>();
        var partly = group.Where(m => storedByDevice.TryGetValue(m.Device, out int n) && n != m.Batch.Events.Count).ToList();
        if (partly.Count == 0)
        {
            return collisions;
        }
        var held = HeldEvents.Read(connection, transaction, [.. partly.SelectMany(m => m.Batch.Events.Select(e => (m.Device, e.Sequence)))]);
        var highest = HeldEvents.Highest(connection, transaction, [.. partly.Select(m => m.Device)]);
        foreach (var member in partly)
        {
            collisions[member.Device] = (EventCollisions.Conflicting(member.Batch.Events, held.TryGetValue(member.Device, out var rows) ? rows : []),
                highest[member.Device]);
        }
        using var command = new NpgsqlCommand("""
            UPDATE batches SET stored = f.stored, already = f.already
            FROM unnest(@device, @id, @stored, @already) AS f(device, batch_id, stored, already)
            WHERE batches.device = f.device AND batches.batch_id = f.batch_id
            """, connection, transaction);
        command.Parameters.AddWithValue("device", partly.Select(m => m.Device).ToArray());
        command.Parameters.AddWithValue("id", partly.Select(m => m.Batch.BatchId).ToArray());
        command.Parameters.AddWithValue("stored", partly.Select(m => storedByDevice[m.Device]).ToArray());
        command.Parameters.AddWithValue("already", partly.Select(m =>
            m.Batch.Events.Count - storedByDevice[m.Device] - collisions[m.Device].Item1.Count).ToArray());
        command.ExecuteNonQuery();
        return collisions;
    }

    /// <summary>
    /// The records another delivery committed first. A new statement, so a new snapshot: under READ COMMITTED it
    /// sees the record whose commit the claim waited for, which the claiming statement's own snapshot could not.
    /// </summary>
    private static Dictionary<long, Record> RecordsOfUnclaimed(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<PendingIngest> group, Dictionary<long, int> storedByDevice)
    {
        var records = new Dictionary<long, Record>();
        var unclaimed = group.Where(m => !storedByDevice.ContainsKey(m.Device)).ToList();
        if (unclaimed.Count == 0)
        {
            return records;
        }
        using var command = new NpgsqlCommand("""
            SELECT b.device, b.content_hash, b.last_seq, b.stored, b.already
            FROM batches b JOIN unnest(@device, @id) AS u(device, batch_id) ON b.device = u.device AND b.batch_id = u.batch_id
            """, connection, transaction);
        command.Parameters.AddWithValue("device", unclaimed.Select(m => m.Device).ToArray());
        command.Parameters.AddWithValue("id", unclaimed.Select(m => m.Batch.BatchId).ToArray());
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            records[reader.GetInt64(0)] = new Record((byte[])reader[1], reader.GetInt64(2), reader.GetInt32(3), reader.GetInt32(4));
        }
        return records;
    }

    /// <summary>A batch record another delivery committed: what its first delivery stored and found held already.</summary>
    private readonly record struct Record(byte[] Hash, long LastSeq, int Stored, int Already);
}
