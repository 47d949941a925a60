using System.Security.Cryptography;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

public sealed class RoundTripTests
{
    [Fact]
    public void Written_bundle_verifies_with_the_same_values_and_bytes()
    {
        using var b = TestBundle.Create();
        VerifiedBundle verified = b.Verifier().Verify(b.Directory);

        BundleManifest expected = TestBundle.SampleManifest(), actual = verified.Manifest;
        Assert.Equal(BundleManifest.CurrentFormatVersion, actual.FormatVersion);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.CreatedAt.Offset, actual.CreatedAt.Offset);
        Assert.Equal(expected.Architecture, actual.Architecture);
        Assert.Equal(expected.MaxSequenceLength, actual.MaxSequenceLength);
        Assert.Equal(expected.EmbeddingDimension, actual.EmbeddingDimension);
        Assert.Equal(expected.Items.Count, actual.Items.Count);
        for (int i = 0; i < expected.Items.Count; i++)
        {
            Assert.Equal(expected.Items[i].Id, actual.Items[i].Id);
            Assert.Equal(expected.Items[i].Title, actual.Items[i].Title);
            Assert.Equal(expected.Items[i].Categories, actual.Items[i].Categories);
        }
        Assert.Equal(expected.Popularity, actual.Popularity);
        Assert.Equal(expected.Metrics!.OrderBy(m => m.Key), actual.Metrics!.OrderBy(m => m.Key));
        Assert.Equal(BundleKeyId.Compute(b.Key), actual.KeyId);
        Assert.Equal(b.Manifest.Files.OrderBy(f => f.Key), actual.Files.OrderBy(f => f.Key));

        Assert.Equal(b.Model, verified.ModelBytes);
        Assert.Equal(b.Files.Keys.Order(), verified.Files.Keys.Order());
        foreach (var (name, bytes) in b.Files)
        {
            Assert.Equal(bytes, verified.Files[name]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), actual.Files[name]);
        }
    }

    [Fact]
    public void Manifest_json_is_deterministic_utf8_without_bom()
    {
        using var b = TestBundle.Create();
        byte[] onDisk = b.Read(BundleFileNames.Manifest);

        Assert.StartsWith("{\"formatVersion\":1,\"modelVersion\":42,", b.ManifestText);
        Assert.NotEqual(0xEF, onDisk[0]);
        Assert.Contains("Amélie — 天使", b.ManifestText);
        // Writing the same manifest again, or re-writing what was read back, gives the same bytes.
        Assert.Equal(onDisk, BundleManifestJson.Write(b.Manifest));
        Assert.Equal(onDisk, BundleManifestJson.Write(BundleManifestJson.Read(onDisk)));
        // Dictionary insertion order does not leak into the bytes.
        var reversed = b.Manifest with
        {
            Files = b.Manifest.Files.Reverse().ToDictionary(),
            Metrics = b.Manifest.Metrics!.Reverse().ToDictionary(),
        };
        Assert.Equal(onDisk, BundleManifestJson.Write(reversed));
    }

    [Fact]
    public void Key_id_is_first_16_hex_of_the_public_key_hash()
    {
        using ECDsa key = BundleSigner.CreateKey();
        string expected = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
        Assert.Equal(expected, BundleKeyId.Compute(key));
        using ECDsa publicOnly = BundleSigner.ImportPublicKeyPem(BundleSigner.ExportPublicKeyPem(key));
        Assert.Equal(expected, BundleKeyId.Compute(publicOnly));
    }

    [Fact]
    public void Rewriting_a_bundle_in_place_replaces_it_and_leaves_no_temporary_files()
    {
        using var b = TestBundle.Create();
        byte[] newModel = new byte[1234];
        new Random(7).NextBytes(newModel);
        var files = new Dictionary<string, byte[]> { [BundleFileNames.Model] = newModel, ["vocab.txt"] = b.Files["vocab.txt"] };
        BundleSigner.WriteBundle(b.Directory, TestBundle.SampleManifest() with { ModelVersion = 43 }, files, b.Key);

        VerifiedBundle verified = b.Verifier().Verify(b.Directory);
        Assert.Equal(43, verified.Manifest.ModelVersion);
        Assert.Equal(newModel, verified.ModelBytes);
        Assert.Equal(
            [BundleFileNames.Manifest, BundleFileNames.Signature, BundleFileNames.Model, "vocab.txt"],
            Directory.GetFileSystemEntries(b.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_verifier_trusting_several_keys_accepts_a_bundle_signed_by_any_of_them()
    {
        using var b = TestBundle.Create();
        using ECDsa other = BundleSigner.CreateKey();
        var verifier = new BundleVerifier([other, b.Key]);

        Assert.True(verifier.TryVerify(b.Directory, out VerifiedBundle? bundle, out BundleRejection? rejection));
        Assert.Null(rejection);
        Assert.Equal(b.Model, bundle.ModelBytes);
        Assert.Equal(2, verifier.TrustedKeyIds.Count);
    }

    [Fact]
    public void Unknown_manifest_properties_are_ignored_when_signed()
    {
        using var b = TestBundle.Create();
        string json = b.ManifestText.Replace("{\"formatVersion\":1,", "{\"comment\":{\"x\":[1,{\"y\":null}]},\"formatVersion\":1,", StringComparison.Ordinal)
            .Replace("{\"id\":\"i2\"}", "{\"id\":\"i2\",\"rating\":4.5}", StringComparison.Ordinal);
        b.WriteSignedManifest(System.Text.Encoding.UTF8.GetBytes(json));

        VerifiedBundle verified = b.Verifier().Verify(b.Directory);
        Assert.Equal("i2", verified.Manifest.Items[1].Id);
    }
}
