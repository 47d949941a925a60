using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// A device's export, the same statements on both stores. The device is found under its name in the current
// pseudonym period (as registration binds it); every other read goes by the store's key for the device.
public abstract partial class SqlFeedbackStore
{
    public ExportedDevice FindDevice(string deviceId) => Read(connection =>
    {
        var rows = Query(connection, null, "SELECT id, device_id, first_seen_ms FROM devices WHERE device_id = @d",
            r => new ExportedDevice(ExportedDeviceState.Found, r.GetInt64(0), r.GetString(1), r.GetInt64(2)), ("@d", StoredDevice(deviceId)));
        if (rows.Count == 1)
        {
            return rows[0];
        }
        return new ExportedDevice(IsErased(connection, null, Markers.Of(deviceId)) ? ExportedDeviceState.Erased : ExportedDeviceState.Unknown);
    });

    public IEnumerable<ExportedEvent> ReadDeviceEvents(long deviceKey) => Stream($"""
        SELECT seq, ts_ms, user_id, item_id, type, value, context FROM events WHERE device = {deviceKey} ORDER BY seq
        """,
        r => new ExportedEvent(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetDouble(5),
            r.IsDBNull(6) ? null : r.GetString(6)));

    public IEnumerable<ExportedAttribute> ReadDeviceAttributes(long deviceKey) => Stream($"""
        SELECT user_id, key, value, change_seq, ts_ms FROM user_attributes WHERE device = {deviceKey}
        ORDER BY user_id COLLATE {OrdinalCollation}, key COLLATE {OrdinalCollation}
        """,
        r => new ExportedAttribute(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3), r.GetInt64(4)));

    public IEnumerable<ExportedBatch> ReadDeviceBatches(long deviceKey) => Stream($"""
        SELECT batch_id, last_seq, stored, already, received_ms FROM batches WHERE device = {deviceKey} ORDER BY received_ms, last_seq
        """,
        r => new ExportedBatch(r.GetValue(0) is Guid id ? id : new Guid((byte[])r.GetValue(0)), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4)));
}
