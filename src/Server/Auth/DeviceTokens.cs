using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Server.Auth;

/// <summary>
/// Per-device tokens: HMAC-SHA256 of the device id under a server secret. Nothing per device is stored, a
/// token proves which device sent a request, and rotating the secret (deleting the file) revokes every token.
/// </summary>
public sealed class DeviceTokens
{
    private readonly byte[] _secret;

    public DeviceTokens(byte[] secret)
    {
        if (secret.Length < 32)
        {
            throw new ArgumentException("The token secret needs at least 32 bytes.", nameof(secret));
        }
        _secret = secret;
    }

    /// <summary>Reads the secret from <paramref name="path"/>, creating it (owner-only) on first start.</summary>
    public static DeviceTokens LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(RandomNumberGenerator.GetBytes(32));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first; use theirs.
            }
        }
        return new DeviceTokens(File.ReadAllBytes(path));
    }

    public string Issue(string deviceId) =>
        Convert.ToBase64String(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes("odr-device/1\n" + deviceId)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public bool IsValid(string deviceId, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Issue(deviceId)), Encoding.ASCII.GetBytes(token));
}
