using System.Security.Cryptography;
using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Server.Models;

/// <summary>
/// Model versions on disk (<c>models/v{N}/</c> the signed bundle, <c>models/v{N}.package</c> what devices
/// download) and which one is serving. Every version is kept, so rolling back is re-pointing, not retraining.
/// Bundles are verified with the server's own public key before they are packaged, so a damaged file on the
/// server's disk is never handed to devices.
/// </summary>
public sealed class ModelRegistry
{
    private readonly IFeedbackStore _store;
    private readonly BundleVerifier _verifier;
    private readonly Lock _gate = new();
    private ModelRelease? _serving;

    public ModelRegistry(ServerOptions options, IFeedbackStore store, ModelSigning signing)
    {
        _store = store;
        _verifier = new BundleVerifier([signing.PublicKeyPem]);
        ModelsDirectory = Path.Combine(options.DataDirectory, "models");
        Directory.CreateDirectory(ModelsDirectory);
        if (_store.ServingVersion() is { } version)
        {
            _serving = ReadRelease(version);
        }
    }

    public string ModelsDirectory { get; }

    /// <summary>The release devices should run, or null before the first publication.</summary>
    public ModelRelease? Serving => Volatile.Read(ref _serving);

    public string BundleDirectory(long version) => Path.Combine(ModelsDirectory, $"v{version}");

    public long NextVersion() => (_store.Models().LastOrDefault()?.Version ?? 0) + 1;

    /// <summary>Packages the bundle of <paramref name="version"/>, records it as published and makes it serving.</summary>
    public ModelRelease Publish(long version, string metricsJson, string reason)
    {
        lock (_gate)
        {
            var bundle = _verifier.Verify(BundleDirectory(version));
            var files = Directory.EnumerateFiles(BundleDirectory(version))
                .ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes, StringComparer.Ordinal);
            byte[] package = WireCodec.Encode(new ModelPackage(version, files));
            string temporary = PackagePath(version) + ".tmp";
            File.WriteAllBytes(temporary, package);
            File.Move(temporary, PackagePath(version), overwrite: true);
            _store.RecordModel(new ModelRecord(version, bundle.Manifest.CreatedAt, Published: true, metricsJson, reason));
            _store.SetServing(version);
            // The bundle was just verified and the package is in hand: describe them without reading either again.
            var release = Describe(version, bundle.Manifest, package);
            Volatile.Write(ref _serving, release);
            return release;
        }
    }

    public void RecordRejected(long version, DateTimeOffset createdAt, string metricsJson, string reason) =>
        _store.RecordModel(new ModelRecord(version, createdAt, Published: false, metricsJson, reason));

    /// <summary>Serves an earlier published version again. False when it was never published.</summary>
    public bool Rollback(long version)
    {
        lock (_gate)
        {
            if (!_store.Models().Any(m => m.Version == version && m.Published) || !File.Exists(PackagePath(version)))
            {
                return false;
            }
            var release = ReadRelease(version);
            _store.SetServing(version);
            Volatile.Write(ref _serving, release);
            return true;
        }
    }

    /// <summary>The package file of a published version, or null.</summary>
    public string? PackageFile(long version) =>
        version >= 1 && File.Exists(PackagePath(version)) && _store.Models().Any(m => m.Version == version && m.Published)
            ? PackagePath(version)
            : null;

    private string PackagePath(long version) => Path.Combine(ModelsDirectory, $"v{version}.package");

    private ModelRelease ReadRelease(long version) =>
        Describe(version, _verifier.Verify(BundleDirectory(version)).Manifest, File.ReadAllBytes(PackagePath(version)));

    private static ModelRelease Describe(long version, BundleManifest manifest, byte[] package) =>
        new(version, manifest.CreatedAt, manifest.Architecture, manifest.KeyId, package.Length,
            Convert.ToHexStringLower(SHA256.HashData(package)),
            manifest.Metrics ?? new Dictionary<string, double>());
}
