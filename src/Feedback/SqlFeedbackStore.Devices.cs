using System.Data.Common;
using System.Security.Cryptography;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// Device bindings and erasure, the same statements on both stores.
public abstract partial class SqlFeedbackStore
{
    public DeviceBinding BindDevice(string deviceId, ReadOnlySpan<byte> secretHash)
    {
        byte[] hash = secretHash.ToArray();
        byte[] marker = Markers.Of(deviceId);
        string stored = StoredDevice(deviceId);
        DeviceBinding binding;
        long key;
        try
        {
            (binding, key) = Write((connection, transaction) =>
        {
            // Binds only where no secret is bound yet; the row lock makes two first registrations of one id take turns.
            if (Scalar(connection, transaction, """
                INSERT INTO devices(device_id, first_seen_ms, secret_hash) VALUES (@d, @now, @h)
                ON CONFLICT (device_id) DO UPDATE SET secret_hash = excluded.secret_hash WHERE devices.secret_hash IS NULL
                RETURNING id
                """, ("@d", stored), ("@now", NowMs()), ("@h", hash)) is long bound)
            {
                // Looked up after the insert: an erasure racing it has committed by now (the insert waited on its row),
                // so its marker is seen and this transaction rolls the new row back.
                if (IsErased(connection, transaction, marker))
                {
                    throw new DeviceErasedException();
                }
                return (DeviceBinding.Bound, bound);
            }
            var (known, held) = Single(connection, transaction, "SELECT id, secret_hash FROM devices WHERE device_id = @d",
                r => (r.GetInt64(0), (byte[])r[1]), ("@d", stored));
            return (CryptographicOperations.FixedTimeEquals(held, hash) ? DeviceBinding.Matched : DeviceBinding.Mismatch, known);
        });
        }
        catch (DeviceErasedException)
        {
            return DeviceBinding.Erased;
        }
        if (binding is DeviceBinding.Bound or DeviceBinding.Matched)
        {
            DeviceKnown(deviceId, key); // its first batch then needs no lookup
        }
        return binding;
    }

    public long EraseDevice(string deviceId)
    {
        byte[] marker = Markers.Of(deviceId);
        long erased = Write((connection, transaction) =>
        {
            // Locking the row first makes a batch being stored for the device either finish before (and be erased with
            // the rest) or find the row gone (PostgreSQL: its batch record's foreign key fails; SQLite: one writer).
            // Under every name the device had in a period whose data is still held: a key rotation hides no row from an erasure.
            var names = Pseudonyms?.DeviceInEveryPeriod(deviceId) ?? [deviceId];
            var keys = names.SelectMany(name =>
                Query(connection, transaction, $"SELECT id FROM devices WHERE device_id = @d{LockRows}", r => r.GetInt64(0), ("@d", name))).ToList();
            long events = 0;
            foreach (long key in keys)
            {
                events += Execute(connection, transaction, "DELETE FROM events WHERE device = @k", ("@k", key));
                foreach (string table in (string[])["batches", "user_attributes", "user_attribute_floors"])
                {
                    Execute(connection, transaction, $"DELETE FROM {table} WHERE device = @k", ("@k", key));
                }
                Execute(connection, transaction, "DELETE FROM devices WHERE id = @k", ("@k", key));
            }
            // The id itself goes; only its marker stays, so nothing under the id is ever taken again.
            Execute(connection, transaction, "INSERT INTO erased_devices(marker, erased_ms) VALUES (@m, @now) ON CONFLICT (marker) DO NOTHING",
                ("@m", marker), ("@now", NowMs()));
            return events;
        });
        Erased(deviceId);
        return erased;
    }

    /// <summary>Whether the device whose marker is <paramref name="marker"/> was erased.</summary>
    private protected static bool IsErased(DbConnection connection, DbTransaction? transaction, byte[] marker) =>
        Scalar(connection, transaction, "SELECT 1 FROM erased_devices WHERE marker = @m", ("@m", marker)) is not null;
}
