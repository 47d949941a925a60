using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>
/// One key a <see cref="BundleVerifier"/> trusts, and how its signatures are checked: by the platform's ECDsa
/// wherever it can import the key, and by <see cref="ManagedP256Key"/> only where it cannot (Windows under Wine,
/// where it is not even asked: <see cref="PlatformP256"/>).
/// Either way a signature is checked; no platform gap ever lets an unverified bundle through. Immutable.
/// </summary>
internal sealed class TrustedKey
{
    private readonly byte[] _subjectPublicKeyInfo;
    private readonly ManagedP256Key? _managed;

    private TrustedKey(byte[] subjectPublicKeyInfo, ManagedP256Key? managed)
    {
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        _managed = managed;
        Id = BundleKeyId.Compute(subjectPublicKeyInfo);
    }

    /// <summary>The key's id (<see cref="BundleKeyId"/>).</summary>
    public string Id { get; }

    /// <summary>The key in <paramref name="subjectPublicKeyInfo"/> (DER).</summary>
    /// <exception cref="ArgumentException">When the bytes are not a P-256 public key.</exception>
    public static TrustedKey FromSubjectPublicKeyInfo(byte[] subjectPublicKeyInfo, string paramName)
    {
        // Where the platform cannot import the key, the managed verifier takes over for well-formed keys only.
        TrustedKey Managed(string why, Exception? inner) => new(subjectPublicKeyInfo, ManagedP256Key.TryParse(subjectPublicKeyInfo)
            ?? throw new ArgumentException("The PEM PUBLIC KEY is not a usable P-256 key" + why, paramName, inner));
        if (!PlatformP256.ImportWorthTrying)
        {
            return Managed(" (an uncompressed point on the curve).", null);
        }
        using ECDsa key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out int read);
            if (read != subjectPublicKeyInfo.Length) throw new ArgumentException("The PEM PUBLIC KEY has bytes after the key.", paramName);
        }
        catch (CryptographicException e)
        {
            // Also where the platform cannot do P-256 at all.
            return Managed(": " + e.Message, e);
        }
        P256Keys.Require(key, paramName);
        return new TrustedKey(subjectPublicKeyInfo, null);
    }

    /// <summary>Whether <paramref name="signature"/> (IEEE P1363) is this key's signature of the SHA-256 <paramref name="hash"/>.</summary>
    public bool Verifies(byte[] hash, ReadOnlySpan<byte> signature)
    {
        if (_managed is not null) return _managed.VerifyHash(hash, signature);
        // A fresh ECDsa per check keeps the verifier free of disposable, possibly non-thread-safe state.
        using ECDsa key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        return key.VerifyHash(hash, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
