using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Server.Devices;

/// <summary>
/// What the server keeps of a device's secret: a SHA-256 verifier. The secret is 256 random bits made on the
/// device, so a fast hash is enough (nothing to brute-force), and a copy of the database does not let anyone
/// register as the device.
/// </summary>
public static class DeviceSecrets
{
    public static byte[] Verifier(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes("odr-device-secret/1\n" + secret));
}
