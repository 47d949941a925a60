using System.Security.Cryptography;
using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Models;

/// <summary>
/// Model versions and which one serves. The store holds each published version's package (what devices download)
/// and the serving pointer, so every node sharing the store serves the same bytes and a publish or rollback on
/// one node is seen by all (within <see cref="ServingRefresh"/>). Signed bundle directories (<c>models/v{N}/</c>)
/// are this node's working copies: trainings write candidates there, and a version published elsewhere is
/// unpacked there when this node needs it. Every version is kept, so rolling back is re-pointing, not retraining.
/// Bundles are verified with the server's own public key before they are packaged or described, so a damaged
/// file is never handed to devices.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>How stale this node's view of the serving version may be.</summary>
    public static readonly TimeSpan ServingRefresh = TimeSpan.FromSeconds(1);

    private readonly IModelRegistryStore _store;
    private readonly BundleVerifier _verifier;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private ModelRelease? _serving;
    // Published packages never change, so their descriptions are kept.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ModelRelease> _releases = new();
    private CachedPackage? _lastPackage;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public ModelRegistry(ServerOptions options, IModelRegistryStore store, ModelSigning signing, TimeProvider? clock = null)
    {
        _store = store;
        _clock = clock ?? TimeProvider.System;
        _verifier = new BundleVerifier([signing.PublicKeyPem]);
        ModelsDirectory = Path.Combine(options.DataDirectory, "models");
        Directory.CreateDirectory(ModelsDirectory);
    }

    public string ModelsDirectory { get; }

    /// <summary>The release devices should run, or null before the first publication.</summary>
    public ModelRelease? Serving
    {
        get
        {
            lock (_gate)
            {
                var now = _clock.GetUtcNow();
                if (now - _checkedAt >= ServingRefresh)
                {
                    _checkedAt = now;
                    long? version = _store.ServingVersion();
                    if (version != _serving?.ModelVersion)
                    {
                        _serving = version is { } v && PackageBytes(v) is { } package ? Describe(v, EnsureLocal(v, package).Manifest, package) : null;
                    }
                }
                return _serving;
            }
        }
    }

    /// <summary>The release of any published version (an experiment's arm), or null when it was never published.</summary>
    public ModelRelease? ReleaseOf(long version)
    {
        if (_releases.TryGetValue(version, out var known))
        {
            return known;
        }
        if (PackageBytes(version) is not { } package)
        {
            return null;
        }
        lock (_gate)
        {
            return _releases[version] = Describe(version, EnsureLocal(version, package).Manifest, package);
        }
    }

    /// <summary>Makes the serving pointer's change by another part of the server (an experiment's decision) seen at once.</summary>
    public void ServingChanged()
    {
        lock (_gate)
        {
            _checkedAt = DateTimeOffset.MinValue;
        }
    }

    public string BundleDirectory(long version) => Path.Combine(ModelsDirectory, $"v{version}");

    /// <summary>
    /// Where the server keeps a trained version's <see cref="OnDeviceReco.Trainer.Bundles.NewItemProjector"/>: beside its bundle,
    /// never in it (devices have no use for it), so catalogue updates can place new items without the model.
    /// </summary>
    public string ProjectorPath(long version) => Path.Combine(ModelsDirectory, $"v{version}.projector");

    /// <summary>Held from <see cref="NextVersion"/> to publishing, so a retraining and a catalogue update never take the same number.</summary>
    public Lock VersionLock { get; } = new();

    public long NextVersion() => (_store.Models().LastOrDefault()?.Version ?? 0) + 1;

    /// <summary>Verifies the bundle in <see cref="BundleDirectory"/> of <paramref name="version"/> with the server's own key.</summary>
    /// <exception cref="BundleVerificationException">When the bundle is refused.</exception>
    public VerifiedBundle Verify(long version) => _verifier.Verify(BundleDirectory(version));

    /// <summary>The verified bundle of a published version, unpacked from the store first if this node has no copy.</summary>
    public VerifiedBundle VerifyPublished(long version)
    {
        byte[] package = PackageBytes(version) ?? throw new InvalidOperationException($"Model version {version} was never published.");
        lock (_gate)
        {
            return EnsureLocal(version, package);
        }
    }

    /// <summary>
    /// Publishes <paramref name="bundle"/> as its manifest's version from the verified bytes alone — nothing is
    /// read from disk again, so a file changed after verification cannot slip in: the package, the record and the
    /// serving pointer go to the store in one transaction.
    /// </summary>
    /// <exception cref="ArgumentException">When the bundle is not signed with the server's key (devices would refuse it).</exception>
    /// <exception cref="ModelVersionTakenException">When another trainer published this version first.</exception>
    public ModelRelease Publish(VerifiedBundle bundle, string metricsJson, string reason) => Publish(bundle, metricsJson, reason, serve: true);

    /// <summary>
    /// Publishes like <see cref="Publish(VerifiedBundle, string, string)"/>; with <paramref name="serve"/> false the
    /// version is stored and downloadable but the serving pointer stays (an experiment tries it on some devices first),
    /// and <paramref name="trial"/>, that experiment, is started in the same transaction.
    /// </summary>
    public ModelRelease Publish(VerifiedBundle bundle, string metricsJson, string reason, bool serve, ExperimentStart? trial = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (!_verifier.TrustedKeyIds.Contains(bundle.Manifest.KeyId))
        {
            throw new ArgumentException($"The bundle is signed with key {bundle.Manifest.KeyId}, not the server's.", nameof(bundle));
        }
        long version = bundle.Manifest.ModelVersion;
        var files = bundle.AllFiles();
        byte[] package = WireCodec.Encode(new ModelPackage(version, files));
        lock (_gate)
        {
            // This node's copy becomes exactly the verified bytes too (whatever happened on disk since).
            ReplaceBundleDirectory(version, files);
            _store.PublishModel(new ModelRecord(version, bundle.Manifest.CreatedAt, Published: true, metricsJson, reason), package, serve, trial);
            // The bundle was verified and the package is in hand: describe them without reading either again.
            var release = Describe(version, bundle.Manifest, package);
            _releases[version] = release;
            if (serve)
            {
                _serving = release;
                _checkedAt = _clock.GetUtcNow();
            }
            Volatile.Write(ref _lastPackage, new CachedPackage(version, package));
            return release;
        }
    }

    public void RecordRejected(long version, DateTimeOffset createdAt, string metricsJson, string reason) =>
        _store.RecordModel(new ModelRecord(version, createdAt, Published: false, metricsJson, reason));

    /// <summary>Serves an earlier published version again. False when it was never published.</summary>
    public bool Rollback(long version)
    {
        byte[]? package = PackageBytes(version);
        if (package is null)
        {
            return false;
        }
        lock (_gate)
        {
            var release = Describe(version, EnsureLocal(version, package).Manifest, package);
            _store.SetServing(version);
            _serving = release;
            _checkedAt = _clock.GetUtcNow();
            return true;
        }
    }

    /// <summary>The package of a published version (what devices download), or null. The newest one asked for is kept in memory.</summary>
    public byte[]? PackageBytes(long version)
    {
        if (version < 1)
        {
            return null;
        }
        if (Volatile.Read(ref _lastPackage) is { } hit && hit.Version == version)
        {
            return hit.Package;
        }
        byte[]? package = _store.ModelPackage(version);
        if (package is not null)
        {
            Volatile.Write(ref _lastPackage, new CachedPackage(version, package));
        }
        return package;
    }

    /// <summary>
    /// The verified bundle of <paramref name="version"/> from this node's copy, first unpacking
    /// <paramref name="package"/> into it when the copy is missing or does not verify (published on another node).
    /// </summary>
    private VerifiedBundle EnsureLocal(long version, byte[] package)
    {
        if (_verifier.TryVerify(BundleDirectory(version), out var local, out _) && local.Manifest.ModelVersion == version)
        {
            return local;
        }
        ReplaceBundleDirectory(version, WireCodec.DecodePackage(package).Files);
        return Verify(version);
    }

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
                File.WriteAllBytes(Path.Combine(fresh, Path.GetFileName(name)), bytes);
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

    private sealed record CachedPackage(long Version, byte[] Package);

    private static ModelRelease Describe(long version, BundleManifest manifest, byte[] package) =>
        new(version, manifest.CreatedAt, manifest.Architecture, manifest.KeyId, package.Length,
            Convert.ToHexStringLower(SHA256.HashData(package)),
            manifest.Metrics ?? new Dictionary<string, double>());
}
