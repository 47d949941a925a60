using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// A device's export, the same statements on both stores. The device is found under its name in every pseudonym period
// whose data the store still holds (as erasure finds it), so a key rotation hides none of its rows from its owner.
public abstract partial class SqlFeedbackStore
{
    public ExportedDevice FindDevice(string deviceId) => Read(connection =>
    {
        var names = Pseudonyms?.DeviceInEveryPeriod(deviceId) ?? [deviceId];
        var rows = names.SelectMany(name => Query(connection, null, "SELECT id, device_id, first_seen_ms FROM devices WHERE device_id = @d",
            r => (Key: r.GetInt64(0), Name: r.GetString(1), FirstSeenMs: r.GetInt64(2)), ("@d", name))).ToList();
        if (rows.Count > 0)
        {
            // The current period's name comes first in the list; failing that, the row made last.
            int current = rows.FindIndex(row => row.Name == names[0]);
            var newest = current >= 0 ? rows[current] : rows.MaxBy(row => row.FirstSeenMs);
            return new ExportedDevice(ExportedDeviceState.Found, [.. rows.Select(row => row.Key).Order()], newest.Name, rows.Min(row => row.FirstSeenMs));
        }
        return new ExportedDevice(IsErased(connection, null, Markers.Of(deviceId)) ? ExportedDeviceState.Erased : ExportedDeviceState.Unknown);
    });

    public IEnumerable<ExportedEvent> ReadDeviceEvents(IReadOnlyList<long> deviceKeys) => Stream($"""
        SELECT seq, ts_ms, user_id, item_id, type, value, context FROM events WHERE device IN ({KeyList(deviceKeys)}) ORDER BY seq, device
        """,
        r => new ExportedEvent(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetDouble(5),
            r.IsDBNull(6) ? null : r.GetString(6)));

    public IEnumerable<ExportedAttribute> ReadDeviceAttributes(IReadOnlyList<long> deviceKeys) => Stream($"""
        SELECT user_id, key, value, change_seq, ts_ms FROM user_attributes WHERE device IN ({KeyList(deviceKeys)})
        ORDER BY user_id COLLATE {OrdinalCollation}, key COLLATE {OrdinalCollation}, device
        """,
        r => new ExportedAttribute(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3), r.GetInt64(4)));

    public IEnumerable<ExportedBatch> ReadDeviceBatches(IReadOnlyList<long> deviceKeys) => Stream($"""
        SELECT batch_id, last_seq, stored, already, received_ms FROM batches WHERE device IN ({KeyList(deviceKeys)}) ORDER BY received_ms, last_seq
        """,
        r => new ExportedBatch(r.GetValue(0) is Guid id ? id : new Guid((byte[])r.GetValue(0)), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4)));

    /// <summary>The keys as SQL literals: integers the store itself made, so no text from a request reaches the statement.</summary>
    private static string KeyList(IReadOnlyList<long> keys) =>
        keys.Count == 0 ? "NULL" : string.Join(",", keys.Select(key => key.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
