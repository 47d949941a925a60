using System.Numerics;

namespace OnDeviceReco.Protocol;

/// <summary>
/// An ECDSA P-256 public key verified in managed code (FIPS 186-4, 6.4), for platforms whose own ECDsa cannot import
/// a P-256 public key (Wine's CNG refuses with NTE_NOT_SUPPORTED, and .NET on Windows has no other provider). It only
/// verifies: it never holds or uses a private key, and all it computes on is public (key, hash, signature), so the
/// variable-time <see cref="BigInteger"/> arithmetic leaks nothing an attacker does not already have. Immutable.
/// </summary>
internal sealed class ManagedP256Key
{
    // The only DER encoding of a SubjectPublicKeyInfo for an uncompressed point on the named curve P-256
    // (id-ecPublicKey, prime256v1): DER is canonical, so any other bytes are a different or malformed key.
    private static ReadOnlySpan<byte> UncompressedPrefix =>
    [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
        0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ];

    private const int CoordinateLength = 32;

    /// <summary>Length of the SHA-256 hash this key verifies signatures of: equal to the bit length of n, so no truncation.</summary>
    public const int HashLength = 32;

    private readonly JacobianPoint _q;

    private ManagedP256Key(BigInteger x, BigInteger y) => _q = new JacobianPoint(x, y, BigInteger.One);

    /// <summary>
    /// The key in <paramref name="subjectPublicKeyInfo"/> (DER, uncompressed point), or null when the bytes are not
    /// exactly that or the point is not on the curve.
    /// </summary>
    public static ManagedP256Key? TryParse(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        if (subjectPublicKeyInfo.Length != UncompressedPrefix.Length + 2 * CoordinateLength
            || !subjectPublicKeyInfo.StartsWith(UncompressedPrefix))
        {
            return null;
        }
        ReadOnlySpan<byte> point = subjectPublicKeyInfo[UncompressedPrefix.Length..];
        BigInteger x = Unsigned(point[..CoordinateLength]);
        BigInteger y = Unsigned(point[CoordinateLength..]);
        // On the curve is enough: P-256 has cofactor 1, so every curve point but infinity (not encodable here) has order n.
        return P256Curve.IsOnCurve(x, y) ? new ManagedP256Key(x, y) : null;
    }

    /// <summary>Whether <paramref name="signature"/> (IEEE P1363: r then s, 32 bytes each) is this key's signature of <paramref name="hash"/>.</summary>
    /// <exception cref="ArgumentException">When <paramref name="hash"/> is not a SHA-256 hash (32 bytes).</exception>
    public bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        if (hash.Length != HashLength) throw new ArgumentException($"Expected a {HashLength}-byte SHA-256 hash, got {hash.Length} bytes.", nameof(hash));
        if (signature.Length != P256Keys.SignatureLength) return false;
        BigInteger r = Unsigned(signature[..CoordinateLength]);
        BigInteger s = Unsigned(signature[CoordinateLength..]);
        if (r.IsZero || r >= P256Curve.N || s.IsZero || s >= P256Curve.N) return false;

        BigInteger e = Unsigned(hash);
        BigInteger w = BigInteger.ModPow(s, P256Curve.N - 2, P256Curve.N);
        BigInteger u1 = e * w % P256Curve.N;
        BigInteger u2 = r * w % P256Curve.N;
        JacobianPoint point = P256Curve.MultiplyAdd(u1, u2, _q);
        return !point.IsInfinity && P256Curve.AffineX(point) % P256Curve.N == r;
    }

    private static BigInteger Unsigned(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);
}
