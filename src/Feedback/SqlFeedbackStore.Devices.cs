using System.Security.Cryptography;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// Device bindings and erasure, the same statements on both stores.
public abstract partial class SqlFeedbackStore
{
    public DeviceBinding BindDevice(string deviceId, ReadOnlySpan<byte> secretHash)
    {
        byte[] hash = secretHash.ToArray();
        var (binding, key) = Write((connection, transaction) =>
        {
            // Binds only where no secret is bound yet; the row lock makes two first registrations of one id take turns.
            if (Scalar(connection, transaction, """
                INSERT INTO devices(device_id, first_seen_ms, secret_hash) VALUES (@d, @now, @h)
                ON CONFLICT (device_id) DO UPDATE SET secret_hash = excluded.secret_hash WHERE devices.secret_hash IS NULL
                RETURNING id
                """, ("@d", deviceId), ("@now", NowMs()), ("@h", hash)) is long bound)
            {
                return (DeviceBinding.Bound, bound);
            }
            var (known, held) = Single(connection, transaction, "SELECT id, secret_hash FROM devices WHERE device_id = @d",
                r => (r.GetInt64(0), (byte[])r[1]), ("@d", deviceId));
            return (CryptographicOperations.FixedTimeEquals(held, hash) ? DeviceBinding.Matched : DeviceBinding.Mismatch, known);
        });
        if (binding != DeviceBinding.Mismatch)
        {
            DeviceKnown(deviceId, key); // its first batch then needs no lookup
        }
        return binding;
    }

    public long EraseDevice(string deviceId) => Write((connection, transaction) =>
    {
        var keys = Query(connection, transaction, "SELECT id FROM devices WHERE device_id = @d", r => r.GetInt64(0), ("@d", deviceId));
        if (keys.Count == 0)
        {
            return 0L;
        }
        // The devices row stays: the id remains bound to its secret, so nobody else can take it over.
        long erased = Execute(connection, transaction, "DELETE FROM events WHERE device = @k", ("@k", keys[0]));
        foreach (string table in (string[])["batches", "user_attributes", "user_attribute_floors"])
        {
            Execute(connection, transaction, $"DELETE FROM {table} WHERE device = @k", ("@k", keys[0]));
        }
        return erased;
    });
}
