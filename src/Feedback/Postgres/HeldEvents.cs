using Npgsql;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// Reads, for batches some of whose events hit a (device, seq) held already, what is held there and each device's
/// highest sequence (<see cref="EventCollisions"/>). Only those batches come here: a group of new events never does.
/// </summary>
internal static class HeldEvents
{
    /// <summary>What each device holds under the given sequences, by device then sequence.</summary>
    public static Dictionary<long, Dictionary<long, HeldEvent>> Read(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<(long Device, long Sequence)> keys)
    {
        using var command = new NpgsqlCommand("""
            SELECT e.device, e.seq, e.ts_ms, e.user_id, e.item_id, e.type, e.value, e.request_id, e.context
            FROM events e JOIN unnest(@device, @seq) AS k(device, seq) ON e.device = k.device AND e.seq = k.seq
            """, connection, transaction);
        command.Parameters.AddWithValue("device", keys.Select(k => k.Device).ToArray());
        command.Parameters.AddWithValue("seq", keys.Select(k => k.Sequence).ToArray());
        var held = new Dictionary<long, Dictionary<long, HeldEvent>>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            long device = reader.GetInt64(0);
            if (!held.TryGetValue(device, out var rows))
            {
                held[device] = rows = [];
            }
            var row = new HeldEvent(reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5),
                reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8));
            rows[row.Sequence] = row;
        }
        return held;
    }

    /// <summary>The highest sequence each device holds (one index seek per device).</summary>
    public static Dictionary<long, long> Highest(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<long> devices)
    {
        using var command = new NpgsqlCommand("""
            SELECT d.device, (SELECT max(e.seq) FROM events e WHERE e.device = d.device)
            FROM unnest(@device) AS d(device)
            """, connection, transaction);
        command.Parameters.AddWithValue("device", devices.ToArray());
        var highest = new Dictionary<long, long>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            highest[reader.GetInt64(0)] = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        }
        return highest;
    }

    /// <summary>The conflicting sequences of one device's <paramref name="events"/> and its highest sequence.</summary>
    public static (List<long> Conflicting, long Highest) Of(NpgsqlConnection connection, NpgsqlTransaction transaction, long device,
        IReadOnlyList<Protocol.Wire.WireEvent> events)
    {
        var held = Read(connection, transaction, [.. events.Select(e => (device, e.Sequence))]);
        var conflicting = EventCollisions.Conflicting(events, held.TryGetValue(device, out var rows) ? rows : []);
        return (conflicting, Highest(connection, transaction, [device])[device]);
    }
}
