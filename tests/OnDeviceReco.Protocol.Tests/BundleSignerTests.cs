using System.Security.Cryptography;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

public sealed class BundleSignerTests
{
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../model.onnx")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/vocab.txt")]
    [InlineData("C:evil")]
    [InlineData("a..b")]
    [InlineData(".hidden")]
    [InlineData("with space")]
    [InlineData("nul\0")]
    [InlineData("manifest.json")]
    [InlineData("manifest.sig")]
    [InlineData("Manifest.JSON")]
    [InlineData("manifest.extra")]
    public void Bad_file_names_are_refused_and_nothing_is_written(string name)
    {
        using var temp = new TempDirectory();
        using ECDsa key = BundleSigner.CreateKey();
        var files = new Dictionary<string, byte[]> { [BundleFileNames.Model] = [1, 2, 3], [name] = [4] };
        string directory = temp.Combine("bundle");

        Assert.Throws<ArgumentException>(() => BundleSigner.WriteBundle(directory, TestBundle.SampleManifest(), files, key));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void Over_long_names_and_a_missing_model_are_refused()
    {
        using var temp = new TempDirectory();
        using ECDsa key = BundleSigner.CreateKey();
        BundleManifest m = TestBundle.SampleManifest();

        Assert.Throws<ArgumentException>(() => BundleSigner.WriteBundle(temp.Path, m,
            new Dictionary<string, byte[]> { [BundleFileNames.Model] = [1], [new string('a', 129)] = [2] }, key));
        Assert.Throws<ArgumentException>(() => BundleSigner.WriteBundle(temp.Path, m, new Dictionary<string, byte[]> { ["other.onnx"] = [1] }, key));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
        BundleSigner.WriteBundle(temp.Path, m, new Dictionary<string, byte[]> { [BundleFileNames.Model] = [1], [new string('a', 128)] = [2] }, key);
    }

    [Fact]
    public void Pem_export_and_import_round_trip()
    {
        using var b = TestBundle.Create();
        string privatePem = BundleSigner.ExportPrivateKeyPem(b.Key);
        string publicPem = BundleSigner.ExportPublicKeyPem(b.Key);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", privatePem);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", publicPem);

        using ECDsa reimported = BundleSigner.ImportPrivateKeyPem(privatePem);
        using ECDsa publicOnly = BundleSigner.ImportPublicKeyPem(publicPem);
        Assert.Equal(BundleKeyId.Compute(b.Key), BundleKeyId.Compute(reimported));
        Assert.Equal(BundleKeyId.Compute(b.Key), BundleKeyId.Compute(publicOnly));

        // A bundle signed with the re-imported private key verifies against the PEM public key.
        using var temp = new TempDirectory();
        BundleSigner.WriteBundle(temp.Path, TestBundle.SampleManifest(), b.Files, reimported);
        var verifier = new BundleVerifier([publicPem]);
        Assert.Equal(b.Model, verifier.Verify(temp.Path).ModelBytes);
        Assert.Equal([BundleKeyId.Compute(b.Key)], verifier.TrustedKeyIds);

        using ECDsa sec1 = BundleSigner.ImportPrivateKeyPem(b.Key.ExportECPrivateKeyPem());
        Assert.Equal(BundleKeyId.Compute(b.Key), BundleKeyId.Compute(sec1));
    }

    [Fact]
    public void Pem_import_refuses_the_wrong_kind_of_key()
    {
        using ECDsa key = BundleSigner.CreateKey();
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string privatePem = BundleSigner.ExportPrivateKeyPem(key);

        // A private key must never be configured as a device's trusted (public) key, and vice versa.
        Assert.Throws<ArgumentException>(() => BundleSigner.ImportPublicKeyPem(privatePem));
        Assert.Throws<ArgumentException>(() => new BundleVerifier([privatePem]));
        Assert.Throws<ArgumentException>(() => BundleSigner.ImportPrivateKeyPem(BundleSigner.ExportPublicKeyPem(key)));
        Assert.Throws<ArgumentException>(() => BundleSigner.ImportPublicKeyPem("not a pem"));
        Assert.Throws<ArgumentException>(() => BundleSigner.ImportPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        Assert.Throws<ArgumentException>(() => BundleSigner.ImportPublicKeyPem(p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<ArgumentException>(() => BundleSigner.ImportPrivateKeyPem(p384.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void Only_p256_keys_sign_or_verify()
    {
        using var temp = new TempDirectory();
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var files = new Dictionary<string, byte[]> { [BundleFileNames.Model] = [1] };

        Assert.Throws<ArgumentException>(() => BundleSigner.WriteBundle(temp.Path, TestBundle.SampleManifest(), files, p384));
        Assert.Throws<ArgumentException>(() => new BundleVerifier([p384]));
        Assert.Throws<ArgumentException>(() => new BundleVerifier(Array.Empty<ECDsa>()));
        Assert.Throws<ArgumentException>(() => new BundleVerifier(Array.Empty<string>()));
    }
}
