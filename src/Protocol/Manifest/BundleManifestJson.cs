namespace OnDeviceReco.Protocol;

/// <summary>The manifest's JSON form: the exact bytes that <c>manifest.sig</c> signs.</summary>
public static class BundleManifestJson
{
    /// <summary>
    /// The manifest as compact UTF-8 JSON (no BOM, fixed property order, dictionaries in ordinal key order),
    /// so the same manifest always gives the same bytes. A manifest of <see cref="BundleManifest.ItemListFormatVersion"/>
    /// is written without its items (they go in <see cref="BundleFileNames.ItemList"/>, see <see cref="BundleSigner.WriteBundle"/>).
    /// </summary>
    /// <exception cref="ArgumentException">When the manifest breaks a rule a device would refuse it for.</exception>
    public static byte[] Write(BundleManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        BundleLimits limits = BundleLimits.Default;
        if (ManifestRules.Check(manifest, limits) is { } problem) throw new ArgumentException($"Invalid manifest: {problem}.", nameof(manifest));
        byte[] json = ManifestJsonWriter.Write(manifest);
        if (json.Length > limits.MaxManifestBytes)
            throw new ArgumentException($"Invalid manifest: {json.Length} bytes of JSON; devices accept at most {limits.MaxManifestBytes}.", nameof(manifest));
        return json;
    }

    /// <summary>
    /// Parses and checks manifest JSON. Call only on bytes whose signature has been verified. For
    /// <see cref="BundleManifest.ItemListFormatVersion"/> the items (and the popularity list's ids) are checked when
    /// <see cref="BundleVerifier"/> reads <see cref="BundleFileNames.ItemList"/>; here <see cref="BundleManifest.Items"/> is empty.
    /// </summary>
    /// <param name="utf8Json">The exact bytes of <c>manifest.json</c>.</param>
    /// <param name="limits">Caps to enforce; <see cref="BundleLimits.Default"/> when null.</param>
    /// <exception cref="BundleVerificationException">
    /// <see cref="BundleRejectReason.ManifestMalformed"/>, <see cref="BundleRejectReason.UnsupportedFormat"/>
    /// or <see cref="BundleRejectReason.FileTooLarge"/>.
    /// </exception>
    public static BundleManifest Read(ReadOnlySpan<byte> utf8Json, BundleLimits? limits = null) =>
        ManifestJsonReader.Read(utf8Json, limits ?? BundleLimits.Default);
}
