using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// How a device appears in logs: a short one-way pseudonym of its id. Operators can still follow one device
/// through the log, but a log reader learns no id to present (and ids are worthless without the device's
/// secret anyway). Tokens and secrets never appear in logs at all.
/// </summary>
public static class LogNames
{
    public static string Device(string deviceId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("odr-log/1\n" + deviceId), hash);
        return "dev-" + Convert.ToHexStringLower(hash[..6]);
    }
}
