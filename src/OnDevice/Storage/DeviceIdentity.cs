using System.Security.Cryptography;

namespace OnDeviceReco.Storage;

/// <summary>
/// Who this store is to a sync server: a random id, and a random secret that proves it. Both are made on the
/// device the first time the store opens (and anew after an erase) and never leave it except to the server at
/// registration, which keeps only a hash of the secret; so learning the id (from a log, a support ticket) does
/// not let anyone upload or erase as this device.
/// </summary>
internal sealed record DeviceIdentity(string DeviceId, string Secret)
{
    /// <summary>Reads the identity, creating whichever part is missing (a store from before secrets gets one now).</summary>
    public static DeviceIdentity Ensure(SqliteDatabase database)
    {
        string? id = KeyValue.Get(database, KeyValue.DeviceId);
        if (id is null)
        {
            id = Guid.NewGuid().ToString("N");
            KeyValue.Set(database, KeyValue.DeviceId, id);
        }
        string? secret = KeyValue.Get(database, KeyValue.DeviceSecret);
        if (secret is null)
        {
            secret = Base64Url(RandomNumberGenerator.GetBytes(32));
            KeyValue.Set(database, KeyValue.DeviceSecret, secret);
        }
        return new DeviceIdentity(id, secret);
    }

    /// <summary>Keeps the secret out of logs and debugger displays.</summary>
    public override string ToString() => $"DeviceIdentity {{ DeviceId = {DeviceId} }}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
