using System.Security.Cryptography;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>Damaged, incomplete, padded or foreign bundles are refused with a reason naming the file.</summary>
public sealed class RejectionTests
{
    [Fact]
    public void A_bundle_signed_by_an_untrusted_key_is_refused_as_unknown_key()
    {
        using var b = TestBundle.Create();
        using ECDsa stranger = BundleSigner.CreateKey();

        BundleRejection rejection = Rejections.Of(new BundleVerifier([stranger]), b.Directory);
        Assert.Equal(BundleRejectReason.UnknownKey, rejection.Reason);
        Assert.Contains(b.Manifest.KeyId, rejection.Message);
    }

    [Fact]
    public void A_manifest_re_signed_by_another_key_is_refused()
    {
        using var b = TestBundle.Create();
        using ECDsa attacker = BundleSigner.CreateKey();

        // Keeps the trusted key's id but signs with its own key: the signature cannot verify.
        b.WriteSignedManifest(b.Read(BundleFileNames.Manifest), attacker);
        Assert.Equal(BundleRejectReason.SignatureInvalid, Rejections.Of(b.Verifier(), b.Directory).Reason);

        // Writes its own key id: the device does not know that key.
        string ownId = b.ManifestText.Replace(b.Manifest.KeyId, BundleKeyId.Compute(attacker), StringComparison.Ordinal);
        b.WriteSignedManifest(System.Text.Encoding.UTF8.GetBytes(ownId), attacker);
        Assert.Equal(BundleRejectReason.UnknownKey, Rejections.Of(b.Verifier(), b.Directory).Reason);
    }

    [Theory]
    [InlineData(BundleFileNames.Manifest, BundleRejectReason.Missing)]
    [InlineData(BundleFileNames.Signature, BundleRejectReason.Missing)]
    [InlineData(BundleFileNames.Model, BundleRejectReason.FileMissing)]
    [InlineData("vocab.txt", BundleRejectReason.FileMissing)]
    public void A_missing_file_is_refused(string name, BundleRejectReason reason)
    {
        using var b = TestBundle.Create();
        File.Delete(b.PathOf(name));

        BundleRejection rejection = Rejections.Of(b.Verifier(), b.Directory);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(name, rejection.FileName);
        Assert.Contains(name, rejection.Message);
    }

    [Fact]
    public void A_missing_directory_is_refused()
    {
        using var b = TestBundle.Create();
        BundleRejection rejection = Rejections.Of(b.Verifier(), Path.Combine(b.Directory, "nope"));
        Assert.Equal(BundleRejectReason.Missing, rejection.Reason);
        Assert.Null(rejection.FileName);
    }

    [Theory]
    [InlineData("notes.txt", false)]
    [InlineData(".model.onnx.tmp", false)]
    [InlineData("sub", true)]
    public void An_unlisted_entry_is_refused(string name, bool isDirectory)
    {
        using var b = TestBundle.Create();
        if (isDirectory) Directory.CreateDirectory(b.PathOf(name));
        else b.Write(name, [1, 2, 3]);

        BundleRejection rejection = Rejections.Of(b.Verifier(), b.Directory);
        Assert.Equal(BundleRejectReason.UnlistedFile, rejection.Reason);
        Assert.Equal(name, rejection.FileName);
        Assert.Contains(name, rejection.Message);
    }

    [Theory]
    [InlineData(BundleFileNames.Model, -1, BundleRejectReason.FileHashMismatch)]
    [InlineData(BundleFileNames.Model, 0, BundleRejectReason.FileHashMismatch)]
    [InlineData(BundleFileNames.Model, +1, BundleRejectReason.FileHashMismatch)]
    [InlineData("vocab.txt", -1, BundleRejectReason.FileHashMismatch)]
    [InlineData(BundleFileNames.Manifest, -1, BundleRejectReason.SignatureInvalid)]
    [InlineData(BundleFileNames.Manifest, +1, BundleRejectReason.SignatureInvalid)]
    [InlineData(BundleFileNames.Signature, -1, BundleRejectReason.SignatureInvalid)]
    [InlineData(BundleFileNames.Signature, 0, BundleRejectReason.SignatureInvalid)]
    [InlineData(BundleFileNames.Signature, +1, BundleRejectReason.SignatureInvalid)]
    public void A_truncated_emptied_or_extended_file_is_refused(string name, int change, BundleRejectReason reason)
    {
        using var b = TestBundle.Create();
        byte[] bytes = b.Read(name);
        // -1: last byte cut off; 0: emptied; +1: one byte appended.
        byte[] changed = change switch { -1 => bytes[..^1], 0 => [], _ => [.. bytes, 0x20] };
        b.Write(name, changed);

        BundleRejection rejection = Rejections.Of(b.Verifier(), b.Directory);
        Assert.Equal(reason, rejection.Reason);
        Assert.Contains(reason == BundleRejectReason.SignatureInvalid ? BundleFileNames.Signature : name, rejection.Message);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        using var b = TestBundle.Create(modelBytes: 3000);

        BundleRejection model = Rejections.Of(b.Verifier(new BundleLimits { MaxFileBytes = 2999 }), b.Directory);
        Assert.Equal(BundleRejectReason.FileTooLarge, model.Reason);
        Assert.Equal(BundleFileNames.Model, model.FileName);

        BundleRejection total = Rejections.Of(b.Verifier(new BundleLimits { MaxTotalFileBytes = 3001 }), b.Directory);
        Assert.Equal(BundleRejectReason.FileTooLarge, total.Reason);

        BundleRejection manifest = Rejections.Of(b.Verifier(new BundleLimits { MaxManifestBytes = 100 }), b.Directory);
        Assert.Equal(BundleRejectReason.FileTooLarge, manifest.Reason);
        Assert.Equal(BundleFileNames.Manifest, manifest.FileName);

        Assert.True(b.Verifier(new BundleLimits { MaxFileBytes = 3000, MaxTotalFileBytes = 3009 }).TryVerify(b.Directory, out _, out _));
    }

    [Fact]
    public void A_listed_file_that_is_a_directory_is_refused_as_unreadable()
    {
        using var b = TestBundle.Create();
        File.Delete(b.PathOf("vocab.txt"));
        Directory.CreateDirectory(b.PathOf("vocab.txt"));

        BundleRejection rejection = Rejections.Of(b.Verifier(), b.Directory);
        Assert.Equal(BundleRejectReason.Unreadable, rejection.Reason);
        Assert.Equal("vocab.txt", rejection.FileName);
    }
}
