using System.Numerics;
using System.Security.Cryptography;
using CsCheck;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>
/// The managed P-256 verifier (used where the platform cannot import P-256 keys, e.g. Windows under Wine) against
/// .NET's own ECDsa (OpenSSL here) as the reference: the same answer for valid, tampered and malformed signatures.
/// </summary>
public sealed class ManagedP256KeyTests
{
    // Fresh keys per run; each sample builds its own ECDsa from the parameters (one instance is not shared across threads).
    private static readonly ECParameters[] KeyPool = Enumerable.Range(0, 48).Select(_ =>
    {
        using ECDsa key = BundleSigner.CreateKey();
        return key.ExportParameters(includePrivateParameters: true);
    }).ToArray();

    private static readonly BigInteger N = BigInteger.Parse("0ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", System.Globalization.NumberStyles.AllowHexSpecifier);

    // Hashes with many 0x00 or 0xff bytes reach the edges: e = 0, e ≥ n.
    private static readonly Gen<byte[]> Hashes = Gen.Frequency(
        (6, Gen.Byte.Array[32]),
        (1, Gen.Byte[0xfe, 0xff].Array[32]),
        (1, Gen.Byte[0x00, 0x01].Array[32]));

    [Fact]
    public void Accepts_what_dotnet_signs_and_agrees_with_it_on_every_tampered_signature_and_hash()
    {
        Gen.Select(Gen.Int[0, KeyPool.Length - 1], Hashes, Gen.Int[0, 3], Gen.Int[0, 511]).Sample((keyIndex, hash, tamper, bit) =>
        {
            using ECDsa platform = ECDsa.Create(KeyPool[keyIndex]);
            ManagedP256Key managed = Managed(platform);
            byte[] signature = platform.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            Assert.True(managed.VerifyHash(hash, signature));

            byte[] checkedHash = (byte[])hash.Clone();
            byte[] checkedSignature = (byte[])signature.Clone();
            switch (tamper)
            {
                case 0: checkedSignature[bit / 8] ^= (byte)(1 << (bit % 8)); break;
                case 1: checkedHash[bit % 256 / 8] ^= (byte)(1 << (bit % 8)); break;
                case 2: checkedSignature = HighS(signature); break;   // (r, n − s) is also valid: both must say so
                default: checkedSignature = platform.SignHash(Flip(hash), DSASignatureFormat.IeeeP1363FixedFieldConcatenation); break;
            }
            bool expected = platform.VerifyHash(checkedHash, checkedSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            Assert.Equal(expected, managed.VerifyHash(checkedHash, checkedSignature));
            if (tamper != 2) Assert.False(expected);
        }, iter: 3_000);
    }

    [Fact]
    public void Refuses_another_keys_signature()
    {
        Gen.Select(Gen.Int[0, KeyPool.Length - 1], Gen.Int[1, KeyPool.Length - 1], Hashes).Sample((signer, offset, hash) =>
        {
            using ECDsa signing = ECDsa.Create(KeyPool[signer]);
            using ECDsa other = ECDsa.Create(KeyPool[(signer + offset) % KeyPool.Length]);
            byte[] signature = signing.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            Assert.False(Managed(other).VerifyHash(hash, signature));
        }, iter: 500);
    }

    [Fact]
    public void Random_bytes_are_never_a_signature()
    {
        Gen.Select(Gen.Int[0, KeyPool.Length - 1], Hashes, Gen.Byte.Array[64]).Sample((keyIndex, hash, signature) =>
        {
            using ECDsa platform = ECDsa.Create(KeyPool[keyIndex]);
            Assert.Equal(platform.VerifyHash(hash, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), Managed(platform).VerifyHash(hash, signature));
        }, iter: 500);
    }

    public static TheoryData<string> MalformedSignatures => new()
    {
        "r = 0", "s = 0", "r = n", "s = n", "r = n + 1", "s = n + 1", "r = 2^256 - 1", "s = 2^256 - 1",
        "63 bytes", "65 bytes", "empty", "DER instead of P1363",
    };

    [Theory]
    [MemberData(nameof(MalformedSignatures))]
    public void Refuses_malformed_signatures_as_dotnet_does(string malformation)
    {
        byte[] hash = SHA256.HashData("manifest"u8);
        using ECDsa platform = ECDsa.Create(KeyPool[0]);
        byte[] good = platform.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        BigInteger r = Unsigned(good.AsSpan(0, 32)), s = Unsigned(good.AsSpan(32));
        byte[] bad = malformation switch
        {
            "r = 0" => Concat(0, s),
            "s = 0" => Concat(r, 0),
            "r = n" => Concat(N, s),
            "s = n" => Concat(r, N),
            "r = n + 1" => Concat(N + 1, s),
            "s = n + 1" => Concat(r, N + 1),
            "r = 2^256 - 1" => Concat(BigInteger.Pow(2, 256) - 1, s),
            "s = 2^256 - 1" => Concat(r, BigInteger.Pow(2, 256) - 1),
            "63 bytes" => good[..63],
            "65 bytes" => [.. good, 0],
            "empty" => [],
            "DER instead of P1363" => platform.SignHash(hash, DSASignatureFormat.Rfc3279DerSequence),
            _ => throw new ArgumentOutOfRangeException(nameof(malformation)),
        };
        Assert.True(Managed(platform).VerifyHash(hash, good));
        Assert.False(Managed(platform).VerifyHash(hash, bad));
        Assert.False(platform.VerifyHash(hash, bad, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    public static TheoryData<string> MalformedKeys => new()
    {
        "y + 1 (not on the curve)", "x = p", "compressed point", "truncated", "trailing byte", "other curve (P-384)", "empty",
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void Refuses_keys_that_are_not_p256_points(string malformation)
    {
        using ECDsa platform = ECDsa.Create(KeyPool[1]);
        byte[] spki = platform.ExportSubjectPublicKeyInfo();
        byte[] bad = malformation switch
        {
            "y + 1 (not on the curve)" => WithCoordinates(spki, Unsigned(spki.AsSpan(27, 32)), Unsigned(spki.AsSpan(59)) + 1),
            "x = p" => WithCoordinates(spki, BigInteger.Parse("0ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", System.Globalization.NumberStyles.AllowHexSpecifier), Unsigned(spki.AsSpan(59))),
            "compressed point" => Compressed(platform),
            "truncated" => spki[..^1],
            "trailing byte" => [.. spki, 0],
            "other curve (P-384)" => P384(),
            "empty" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(malformation)),
        };
        Assert.NotNull(ManagedP256Key.TryParse(spki));
        Assert.Null(ManagedP256Key.TryParse(bad));
    }

    [Fact]
    public void Verifies_a_real_bundles_manifest_signature()
    {
        using var bundle = TestBundle.Create();
        byte[] manifest = File.ReadAllBytes(Path.Combine(bundle.Directory, BundleFileNames.Manifest));
        byte[] signature = File.ReadAllBytes(Path.Combine(bundle.Directory, BundleFileNames.Signature));
        ManagedP256Key key = Managed(bundle.Key);

        Assert.True(key.VerifyHash(SHA256.HashData(manifest), signature));
        manifest[^2] ^= 1;
        Assert.False(key.VerifyHash(SHA256.HashData(manifest), signature));
    }

    [Fact]
    public void Only_sha256_hashes_are_taken()
    {
        ManagedP256Key key = Managed(ECDsa.Create(KeyPool[2]));
        Assert.Throws<ArgumentException>(() => key.VerifyHash(new byte[48], new byte[64]));
    }

    private static ManagedP256Key Managed(ECDsa key) =>
        ManagedP256Key.TryParse(key.ExportSubjectPublicKeyInfo()) ?? throw new InvalidOperationException("a .NET P-256 key did not parse");

    private static byte[] Flip(byte[] hash)
    {
        byte[] flipped = (byte[])hash.Clone();
        flipped[0] ^= 0x80;
        return flipped;
    }

    private static byte[] HighS(byte[] signature) => Concat(Unsigned(signature.AsSpan(0, 32)), N - Unsigned(signature.AsSpan(32)));

    private static BigInteger Unsigned(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static byte[] Fixed32(BigInteger value)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (bytes.Length > 32) throw new ArgumentOutOfRangeException(nameof(value));
        return [.. new byte[32 - bytes.Length], .. bytes];
    }

    private static byte[] Concat(BigInteger r, BigInteger s) => [.. Fixed32(r), .. Fixed32(s)];

    private static byte[] WithCoordinates(byte[] spki, BigInteger x, BigInteger y) => [.. spki[..27], .. Fixed32(x), .. Fixed32(y)];

    private static byte[] Compressed(ECDsa key)
    {
        ECParameters parameters = key.ExportParameters(false);
        // 0x02 / 0x03 + x in a 57-byte SubjectPublicKeyInfo: valid DER, but not the uncompressed form devices get.
        byte[] prefix = [0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00];
        return [.. prefix, (byte)(2 + (parameters.Q.Y![31] & 1)), .. parameters.Q.X!];
    }

    private static byte[] P384()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return key.ExportSubjectPublicKeyInfo();
    }
}
