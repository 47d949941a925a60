using Npgsql;
using NpgsqlTypes;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// Events of one or more devices as one array per column, bound as parameters <c>@e_device</c>, <c>@e_seq</c>,
/// <c>@e_ts</c>, <c>@e_user</c>, <c>@e_item</c>, <c>@e_type</c>, <c>@e_value</c>, <c>@e_request</c> and <c>@e_context</c> that
/// <c>unnest(…)</c> turns back into rows: one statement inserts them all, whatever their number.
/// </summary>
internal static class EventColumns
{
    /// <summary>Binds the events of each (device, events) pair, in order.</summary>
    public static void Bind(NpgsqlParameterCollection parameters, IReadOnlyCollection<(long Device, IReadOnlyList<WireEvent> Events)> batches)
    {
        int total = batches.Sum(b => b.Events.Count);
        var device = new long[total];
        var seq = new long[total];
        var ts = new long[total];
        var user = new string[total];
        var item = new string[total];
        var type = new int[total];
        var value = new double[total];
        var request = new string?[total];
        var context = new string?[total];
        int row = 0;
        foreach (var (key, events) in batches)
        {
            foreach (var e in events)
            {
                (device[row], seq[row], ts[row], user[row], item[row], type[row], value[row]) =
                    (key, e.Sequence, e.TimestampMs, e.UserId, e.ItemId, e.Type, e.Value);
                request[row] = e.RequestId;
                context[row] = EventCollisions.ContextJson(e);
                row++;
            }
        }
        parameters.AddWithValue("e_device", device);
        parameters.AddWithValue("e_seq", seq);
        parameters.AddWithValue("e_ts", ts);
        parameters.Add(new NpgsqlParameter("e_user", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = user });
        parameters.Add(new NpgsqlParameter("e_item", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = item });
        parameters.AddWithValue("e_type", type);
        parameters.AddWithValue("e_value", value);
        parameters.Add(new NpgsqlParameter("e_request", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = request });
        parameters.Add(new NpgsqlParameter("e_context", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = context });
    }
}
