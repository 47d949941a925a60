namespace OnDeviceReco.Protocol;

/// <summary>
/// A bundle whose signature and file hashes checked out, with the exact bytes that were checked. Use these
/// bytes and never read the bundle directory again: a re-read could see a file swapped after verification.
/// </summary>
public sealed class VerifiedBundle
{
    internal VerifiedBundle(BundleManifest manifest, byte[] manifestJson, byte[] signature, IReadOnlyDictionary<string, byte[]> files)
    {
        Manifest = manifest;
        ManifestJson = manifestJson;
        Signature = signature;
        Files = files;
    }

    /// <summary>The signed manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>The content of <c>manifest.json</c> whose signature was checked. Not copied; treat it as read-only.</summary>
    public byte[] ManifestJson { get; }

    /// <summary>The content of <c>manifest.sig</c>: a trusted key's signature of <see cref="ManifestJson"/>. Not copied; treat it as read-only.</summary>
    public byte[] Signature { get; }

    /// <summary>Every listed file's verified content, by file name. The arrays are not copied; treat them as read-only.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>The verified content of <c>model.onnx</c>.</summary>
    public byte[] ModelBytes => Files[BundleFileNames.Model];

    /// <summary>
    /// Every file of the bundle as verified, by name in ordinal order: the listed files, <c>manifest.json</c> and
    /// <c>manifest.sig</c>. A copy of the bundle made from these (e.g. a package for devices) verifies as this one did.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> AllFiles() =>
        Files.Append(new(BundleFileNames.Manifest, ManifestJson)).Append(new(BundleFileNames.Signature, Signature))
            .OrderBy(file => file.Key, StringComparer.Ordinal)
            .ToDictionary(StringComparer.Ordinal)
            .AsReadOnly();
}
