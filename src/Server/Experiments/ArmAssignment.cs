using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// Where a device falls in an experiment: a position in [0, 1) from SHA-256 of the experiment's salt and the device's
/// pseudonymous id, so it is the same on every node, after restarts and model reinstalls, and a device cannot pick it
/// (the id is bound to the device's secret at registration; a new id is a new device).
/// </summary>
public static class ArmAssignment
{
    public static double Position(string deviceId, string salt)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentNullException.ThrowIfNull(salt);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"odr-arm/1\n{salt}\n{deviceId}"), hash);
        // The top 53 bits: exactly representable, uniform over [0, 1).
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>A fresh random salt for a new experiment.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
