using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Short, stable name of a signing key: the first 16 lowercase hex characters of the SHA-256 of its
/// SubjectPublicKeyInfo DER. Lets a device holding several trusted keys (during rotation) say which one is needed.
/// </summary>
public static class BundleKeyId
{
    /// <summary>Number of hex characters in a key id.</summary>
    public const int Length = 16;

    /// <summary>The key id of <paramref name="key"/> (public or private; only the public part is used).</summary>
    public static string Compute(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Compute(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The key id of a SubjectPublicKeyInfo DER encoding.</summary>
    public static string Compute(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..Length];
}
