using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback;

/// <summary>
/// What a feedback store writes instead of the ids devices send: keyed HMAC-SHA256 pseudonyms under a key held
/// outside the database (the server's secrets directory), 96 bits as 16 base64url characters. A device id maps to
/// the same pseudonym for as long as the key stays (one retention period); an app's user id is pseudonymised
/// together with its device's id, so one account on two devices looks like two unrelated users. A copy of the
/// database (or a log) alone tells no id, and without the key no guessed id can be tested against it.
/// <para>
/// Keys rotate: <see cref="Device"/> uses the current key; the keys of earlier periods stay in
/// <see cref="DeviceInEveryPeriod"/> while data written under them is kept, so erasing a device still finds rows
/// an earlier period wrote. Erased ids are remembered by <see cref="ErasureMarkers"/>, whose key does not rotate.
/// </para>
/// </summary>
public sealed class IdPseudonyms
{
    private const int MacBytes = 12;
    private readonly byte[] _deviceKey;
    private readonly byte[] _userKey;
    private readonly byte[][] _earlierDeviceKeys;

    /// <param name="currentKey">The key of the current period: at least 32 bytes, the same on every node that shares the store.</param>
    /// <param name="earlierKeys">Keys of earlier periods whose data the store still holds (erasure looks there too).</param>
    public IdPseudonyms(byte[] currentKey, IReadOnlyList<byte[]>? earlierKeys = null)
    {
        CheckKey(currentKey);
        (_deviceKey, _userKey) = Derive(currentKey);
        _earlierDeviceKeys = [.. (earlierKeys ?? []).Select(key =>
        {
            CheckKey(key);
            return Derive(key).Device;
        })];
    }

    /// <summary>The stored name of <paramref name="deviceId"/> in the current period.</summary>
    public string Device(string deviceId) => Pseudonym(_deviceKey, deviceId, null);

    /// <summary>The stored name of <paramref name="userId"/> on the device <paramref name="deviceId"/> (raw ids both).</summary>
    public string User(string deviceId, string userId) => Pseudonym(_userKey, deviceId, userId);

    /// <summary>The device's names under the current key and every earlier key still held: where its data may be.</summary>
    public IReadOnlyList<string> DeviceInEveryPeriod(string deviceId) =>
        [Device(deviceId), .. _earlierDeviceKeys.Select(key => Pseudonym(key, deviceId, null))];

    /// <summary>
    /// <paramref name="batch"/> with each event's user id replaced by its pseudonym (the device id is left as sent:
    /// the store names the device itself, and marks erasures by the id). A batch holds few users, often taking
    /// turns: each user's pseudonym is computed once per batch.
    /// </summary>
    public EventBatch Users(EventBatch batch)
    {
        var events = new WireEvent[batch.Events.Count];
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < events.Length; i++)
        {
            var e = batch.Events[i];
            if (!known.TryGetValue(e.UserId, out string? pseudonym))
            {
                known[e.UserId] = pseudonym = User(batch.DeviceId, e.UserId);
            }
            events[i] = e with { UserId = pseudonym };
        }
        return batch with { Events = events };
    }

    /// <summary><paramref name="batch"/> with each change's user id replaced by its pseudonym.</summary>
    public AttributeBatch Users(AttributeBatch batch) =>
        batch with { Changes = [.. batch.Changes.Select(c => c with { UserId = User(batch.DeviceId, c.UserId) })] };

    private static (byte[] Device, byte[] User) Derive(byte[] key) =>
        (HMACSHA256.HashData(key, "odr-pseudonym/device"u8), HMACSHA256.HashData(key, "odr-pseudonym/user"u8));

    private static void CheckKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("A pseudonym key needs at least 32 bytes.", nameof(key));
        }
    }

    private static string Pseudonym(byte[] key, string deviceId, string? userId)
    {
        // Lengths first, so no two (device, user) pairs hash the same bytes whatever characters the ids hold.
        string input = userId is null ? $"{deviceId.Length}:{deviceId}" : $"{deviceId.Length}:{deviceId}{userId.Length}:{userId}";
        int bytes = Encoding.UTF8.GetMaxByteCount(input.Length);
        byte[]? rented = bytes > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(bytes) : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        try
        {
            int written = Encoding.UTF8.GetBytes(input, buffer);
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(key, buffer[..written], mac);
            return Convert.ToBase64String(mac[..MacBytes]).Replace('+', '-').Replace('/', '_');
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
