using System.Security.Cryptography;
using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Sqlite;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>Publishing: what devices download is exactly what was verified, whatever happens on disk afterwards.</summary>
public sealed class ModelRegistryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ModelSigning _signing;
    private readonly SqliteFeedbackStore _store;
    private readonly ModelRegistry _registry;

    public ModelRegistryTests()
    {
        _signing = new ModelSigning(_dir.Path);
        _store = new SqliteFeedbackStore(_dir.File("feedback.db"));
        _registry = new ModelRegistry(new ServerOptions { DataDirectory = _dir.Path }, _store, _signing);
    }

    public void Dispose()
    {
        _store.Dispose();
        _signing.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Publish_packages_the_verified_bytes_when_the_bundle_directory_changes_after_verification()
    {
        long version = _registry.NextVersion();
        byte[] model = RandomBytes(4096, seed: 1);
        BundleSigner.WriteBundle(_registry.BundleDirectory(version), Manifest(version),
            new Dictionary<string, byte[]> { [BundleFileNames.Model] = model }, _signing.Key);
        var verified = _registry.Verify(version);

        // After verification and before publishing, the model on disk is swapped and a file is planted.
        File.WriteAllBytes(Path.Combine(_registry.BundleDirectory(version), BundleFileNames.Model), RandomBytes(4096, seed: 2));
        File.WriteAllBytes(Path.Combine(_registry.BundleDirectory(version), "planted.bin"), [1, 2, 3]);
        var release = _registry.Publish(verified, "{}", "test");

        // What devices download holds the verified bytes, and verifies on a device.
        byte[] packageBytes = _registry.PackageBytes(version)!;
        var package = WireCodec.DecodePackage(packageBytes);
        Assert.Equal([BundleFileNames.Manifest, BundleFileNames.Signature, BundleFileNames.Model], package.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(model, package.Files[BundleFileNames.Model]);
        string device = _dir.File("device/bundle");
        Directory.CreateDirectory(device);
        foreach (var (name, bytes) in package.Files)
        {
            File.WriteAllBytes(Path.Combine(device, name), bytes);
        }
        Assert.Equal(model, new BundleVerifier([_signing.PublicKeyPem]).Verify(device).ModelBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(packageBytes)), release.PackageSha256);

        // The registry's own copy is the verified bundle too: a restart (or a rollback) verifies it again.
        Assert.Equal(model, _registry.Verify(version).ModelBytes);
        Assert.Equal(release.PackageSha256, new ModelRegistry(new ServerOptions { DataDirectory = _dir.Path }, _store, _signing).Serving?.PackageSha256);
    }

    [Fact]
    public void Publish_refuses_a_bundle_not_signed_with_the_server_key()
    {
        using var other = BundleSigner.CreateKey();
        string directory = _dir.File("elsewhere/v1");
        BundleSigner.WriteBundle(directory, Manifest(1), new Dictionary<string, byte[]> { [BundleFileNames.Model] = [7] }, other);
        var verified = new BundleVerifier([other]).Verify(directory);

        Assert.Throws<ArgumentException>(() => _registry.Publish(verified, "{}", "test"));
        Assert.Null(_registry.Serving);
        Assert.Null(_registry.PackageBytes(1));
    }

    private static BundleManifest Manifest(long version) => new()
    {
        ModelVersion = version,
        CreatedAt = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
        Architecture = "sasrec",
        MaxSequenceLength = 50,
        EmbeddingDimension = 8,
        Items = [new BundleItem("i1", "One", ["a"]), new BundleItem("i2", null, [])],
        Popularity = ["i1"],
    };

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
