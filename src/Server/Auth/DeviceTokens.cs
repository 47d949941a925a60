using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Server.Auth;

/// <summary>
/// Short-lived device tokens: base64url of (expiry, HMAC-SHA256 over the device id and that expiry under a server
/// secret). Checking one needs no storage; a token proves which device a request speaks for until it expires,
/// and rotating the secret (deleting the file) revokes every token at once. A token is issued only to a device
/// that proved its secret at registration (see <c>DeviceEndpoints</c>).
/// </summary>
public sealed class DeviceTokens
{
    private const int MacBytes = 32;
    private const int TokenBytes = 8 + MacBytes;
    private const int TokenChars = (TokenBytes * 4 + 2) / 3; // unpadded base64url
    private readonly byte[] _secret;
    private readonly TimeProvider _clock;

    public DeviceTokens(byte[] secret, TimeSpan lifetime, TimeProvider clock)
    {
        if (secret.Length < 32)
        {
            throw new ArgumentException("The token secret needs at least 32 bytes.", nameof(secret));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.FromSeconds(1));
        _secret = secret;
        _clock = clock;
        Lifetime = lifetime;
    }

    /// <summary>How long an issued token stays valid.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Reads the secret from <paramref name="path"/>, creating it (owner-only) on first start.</summary>
    public static DeviceTokens LoadOrCreate(string path, TimeSpan lifetime, TimeProvider clock) =>
        new(SecretFiles.LoadOrCreate(path), lifetime, clock);

    /// <summary>A token for <paramref name="deviceId"/> valid for <see cref="Lifetime"/> from now.</summary>
    public string Issue(string deviceId)
    {
        long expires = _clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        Span<byte> token = stackalloc byte[TokenBytes];
        BinaryPrimitives.WriteInt64BigEndian(token, expires);
        Mac(deviceId, expires, token[8..]);
        return Convert.ToBase64String(token).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>True when <paramref name="token"/> was issued by this server for <paramref name="deviceId"/> and has not expired.</summary>
    public bool IsValid(string deviceId, string token)
    {
        Span<byte> presented = stackalloc byte[TokenBytes];
        if (token.Length != TokenChars || !TryDecode(token, presented))
        {
            return false;
        }
        long expires = BinaryPrimitives.ReadInt64BigEndian(presented);
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(deviceId, expires, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented[8..]) && expires > _clock.GetUtcNow().ToUnixTimeSeconds();
    }

    private void Mac(string deviceId, long expires, Span<byte> destination) =>
        HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes($"odr-device/2\n{deviceId}\n{expires}"), destination);

    private static bool TryDecode(string token, Span<byte> destination)
    {
        string base64 = token.Replace('-', '+').Replace('_', '/').PadRight((token.Length + 3) / 4 * 4, '=');
        return Convert.TryFromBase64String(base64, destination, out int written) && written == destination.Length;
    }
}
