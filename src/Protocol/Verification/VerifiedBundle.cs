namespace OnDeviceReco.Protocol;

/// <summary>
/// A bundle whose signature and file hashes checked out, with the exact bytes that were checked. Use these
/// bytes and never read the bundle directory again: a re-read could see a file swapped after verification.
/// </summary>
public sealed class VerifiedBundle
{
    internal VerifiedBundle(BundleManifest manifest, IReadOnlyDictionary<string, byte[]> files)
    {
        Manifest = manifest;
        Files = files;
    }

    /// <summary>The signed manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>Every listed file's verified content, by file name. The arrays are not copied; treat them as read-only.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>The verified content of <c>model.onnx</c>.</summary>
    public byte[] ModelBytes => Files[BundleFileNames.Model];
}
