using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>Key checks shared by signer and verifier: bundles are signed with ECDSA P-256 only.</summary>
internal static class P256Keys
{
    /// <summary>OID of NIST P-256 (secp256r1, prime256v1).</summary>
    private const string Oid = "1.2.840.10045.3.1.7";

    /// <summary>Length of an IEEE P1363 P-256 signature: r and s, 32 bytes each.</summary>
    public const int SignatureLength = 64;

    /// <summary>Throws unless <paramref name="key"/> is on the P-256 curve.</summary>
    public static void Require(ECDsa key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        ECCurve curve = key.ExportParameters(includePrivateParameters: false).Curve;
        // Providers fill in the OID value, the friendly name or both.
        bool isP256 = curve.IsNamed && (curve.Oid.Value == Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secP256r1" or "prime256v1");
        if (!isP256) throw new ArgumentException($"Bundle keys must be ECDSA P-256; this key is {curve.Oid.FriendlyName ?? curve.Oid.Value ?? "an unnamed curve"}.", paramName);
    }
}
