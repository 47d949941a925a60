using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>The hash format of <see cref="BundleManifest.Files"/>.</summary>
internal static class Sha256Hex
{
    /// <summary>Lowercase hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
