using System.Text;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>One flipped bit anywhere in a bundle must make verification fail, for the right reason.</summary>
public sealed class TamperTests
{
    [Fact]
    public void A_flipped_bit_at_any_offset_of_the_model_fails_with_hash_mismatch()
    {
        using var b = TestBundle.Create(modelBytes: 2048);
        Assert.Empty(FlipEachByte(b, BundleFileNames.Model, _ => [BundleRejectReason.FileHashMismatch]));
    }

    [Fact]
    public void A_flipped_bit_at_any_offset_of_the_manifest_fails_the_signature()
    {
        using var b = TestBundle.Create();
        byte[] manifest = b.Read(BundleFileNames.Manifest);
        string keyIdToken = $"\"keyId\":\"{b.Manifest.KeyId}\"";
        int keyIdStart = Encoding.UTF8.GetString(manifest).IndexOf(keyIdToken, StringComparison.Ordinal) + "\"keyId\":\"".Length;
        Assert.True(keyIdStart > 10);

        // Inside the key id value, the flip may turn it into an id the device does not trust: also a refusal.
        var wrong = FlipEachByte(b, BundleFileNames.Manifest, offset =>
            offset >= keyIdStart && offset < keyIdStart + BundleKeyId.Length
                ? [BundleRejectReason.SignatureInvalid, BundleRejectReason.UnknownKey]
                : [BundleRejectReason.SignatureInvalid]);
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_flipped_bit_of_the_signature_fails_the_signature()
    {
        using var b = TestBundle.Create();
        Assert.Equal(64, b.Read(BundleFileNames.Signature).Length);
        for (int bit = 0; bit < 8; bit++)
        {
            Assert.Empty(FlipEachByte(b, BundleFileNames.Signature, _ => [BundleRejectReason.SignatureInvalid], bit));
        }
    }

    /// <summary>
    /// Flips one bit at every offset of <paramref name="name"/> (bit <c>offset % 8</c> unless fixed), verifies,
    /// restores, and returns the offsets that were accepted or refused for an unexpected reason.
    /// </summary>
    private static List<string> FlipEachByte(TestBundle b, string name, Func<int, BundleRejectReason[]> expected, int? fixedBit = null)
    {
        BundleVerifier verifier = b.Verifier();
        byte[] bytes = b.Read(name);
        var wrong = new List<string>();
        for (int offset = 0; offset < bytes.Length; offset++)
        {
            byte mask = (byte)(1 << (fixedBit ?? offset % 8));
            bytes[offset] ^= mask;
            b.Write(name, bytes);
            BundleRejectReason? reason = Rejections.ReasonOf(verifier, b.Directory);
            if (reason is null || !expected(offset).Contains(reason.Value)) wrong.Add($"{name}@{offset}: {reason?.ToString() ?? "accepted"}");
            bytes[offset] ^= mask;
        }
        b.Write(name, bytes);
        Assert.True(verifier.TryVerify(b.Directory, out _, out _), "restored bundle verifies again");
        return wrong;
    }
}
