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

    /// <summary>Verifies the bundle in <see cref="BundleDirectory"/> of <paramref name="version"/> with the server's own key.</summary>
    /// <exception cref="BundleVerificationException">When the bundle is refused.</exception>
    public VerifiedBundle Verify(long version) => _verifier.Verify(BundleDirectory(version));

    /// <summary>
    /// Publishes <paramref name="bundle"/> as its manifest's version from the verified bytes alone — nothing is
    /// read from disk again, so a file changed after verification cannot slip in: writes them as the version's
    /// bundle directory and as the package devices download, records the version published and makes it serving.
    /// </summary>
    /// <exception cref="ArgumentException">When the bundle is not signed with the server's key (devices would refuse it).</exception>
    public ModelRelease Publish(VerifiedBundle bundle, string metricsJson, string reason)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (!_verifier.TrustedKeyIds.Contains(bundle.Manifest.KeyId))
        {
            throw new ArgumentException($"The bundle is signed with key {bundle.Manifest.KeyId}, not the server's.", nameof(bundle));
        }
        long version = bundle.Manifest.ModelVersion;
        var files = bundle.AllFiles();
        lock (_gate)
        {
            ReplaceBundleDirectory(version, files);
            byte[] package = WireCodec.Encode(new ModelPackage(version, files));
            string temporary = PackagePath(version) + ".tmp";
            File.WriteAllBytes(temporary, package);
            File.Move(temporary, PackagePath(version), overwrite: true);
            _store.RecordModel(new ModelRecord(version, bundle.Manifest.CreatedAt, Published: true, metricsJson, reason));
            _store.SetServing(version);
            // The bundle was verified and the package is in hand: describe them without reading either again.
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

    /// <summary>
    /// Makes <see cref="BundleDirectory"/> of <paramref name="version"/> hold exactly <paramref name="files"/>: they are
    /// written to a fresh directory beside it, which then takes its place (whatever was there is removed).
    /// </summary>
    private void ReplaceBundleDirectory(long version, IReadOnlyDictionary<string, byte[]> files)
    {
        string final = BundleDirectory(version);
        string fresh = Path.Combine(ModelsDirectory, $".v{version}-{Guid.NewGuid():N}");
        string replaced = fresh + "-replaced";
        Directory.CreateDirectory(fresh);
        try
        {
            foreach (var (name, bytes) in files)
            {
                File.WriteAllBytes(Path.Combine(fresh, name), bytes);
            }
            if (Directory.Exists(final))
            {
                Directory.Move(final, replaced);
            }
            Directory.Move(fresh, final);
        }
        finally
        {
            foreach (string leftover in (string[])[fresh, replaced])
            {
                if (Directory.Exists(leftover))
                {
                    Directory.Delete(leftover, recursive: true);
                }
            }
        }
    }

    private ModelRelease ReadRelease(long version) =>
        Describe(version, _verifier.Verify(BundleDirectory(version)).Manifest, File.ReadAllBytes(PackagePath(version)));

    private static ModelRelease Describe(long version, BundleManifest manifest, byte[] package) =>
        new(version, manifest.CreatedAt, manifest.Architecture, manifest.KeyId, package.Length,
            Convert.ToHexStringLower(SHA256.HashData(package)),
            manifest.Metrics ?? new Dictionary<string, double>());
}
