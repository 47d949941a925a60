using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>Server side: creates signing keys and writes signed bundles. Devices only ever hold public keys.</summary>
public static class BundleSigner
{
    /// <summary>A new ECDSA P-256 key pair for signing bundles.</summary>
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The private key as unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>). Keep it secret.</summary>
    public static string ExportPrivateKeyPem(ECDsa key)
    {
        P256Keys.Require(key, nameof(key));
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>The public key as SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>), to ship with apps.</summary>
    public static string ExportPublicKeyPem(ECDsa key)
    {
        P256Keys.Require(key, nameof(key));
        return key.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>Imports a P-256 private key from PKCS#8 or SEC1 (<c>EC PRIVATE KEY</c>) PEM.</summary>
    /// <exception cref="ArgumentException">When the text holds no unencrypted P-256 private key.</exception>
    public static ECDsa ImportPrivateKeyPem(string pem) => PemKeys.Import(pem, nameof(pem), "PRIVATE KEY", "EC PRIVATE KEY");

    /// <summary>Imports a P-256 public key from SubjectPublicKeyInfo PEM.</summary>
    /// <exception cref="ArgumentException">When the text holds no P-256 public key, or holds a private key.</exception>
    public static ECDsa ImportPublicKeyPem(string pem) => PemKeys.Import(pem, nameof(pem), "PUBLIC KEY");

    /// <summary>The IEEE P1363 ECDSA P-256 / SHA-256 signature of <paramref name="manifestJson"/>: the content of <c>manifest.sig</c>.</summary>
    public static byte[] SignManifest(ReadOnlySpan<byte> manifestJson, ECDsa privateKey)
    {
        P256Keys.Require(privateKey, nameof(privateKey));
        return privateKey.SignData(manifestJson, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>
    /// Writes a signed bundle into <paramref name="directory"/> (created if needed): the given files, then
    /// <c>manifest.json</c> with their hashes and the signer's key id filled in, then <c>manifest.sig</c>.
    /// Other files already in the directory are left alone, and a verifier rejects them as unlisted, so write
    /// each bundle to a fresh directory.
    /// </summary>
    /// <param name="directory">Where the bundle goes.</param>
    /// <param name="manifestWithoutFiles">The manifest; its <see cref="BundleManifest.Files"/> and <see cref="BundleManifest.KeyId"/> are replaced.</param>
    /// <param name="files">File name → content; must include <c>model.onnx</c>; names must pass <see cref="BundleFileNames.IsValidListedName"/>.
    /// For a manifest of <see cref="BundleManifest.ItemListFormatVersion"/> the item list is written here as
    /// <see cref="BundleFileNames.ItemList"/>, so <paramref name="files"/> must not hold that name.</param>
    /// <param name="privateKey">The P-256 signing key.</param>
    /// <returns>The manifest as written.</returns>
    /// <exception cref="ArgumentException">When a file name, a file size or the manifest would make devices refuse the bundle.</exception>
    public static BundleManifest WriteBundle(string directory, BundleManifest manifestWithoutFiles, IReadOnlyDictionary<string, byte[]> files, ECDsa privateKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(manifestWithoutFiles);
        ArgumentNullException.ThrowIfNull(files);
        P256Keys.Require(privateKey, nameof(privateKey));
        if (manifestWithoutFiles.FormatVersion == BundleManifest.ItemListFormatVersion)
        {
            if (files.ContainsKey(BundleFileNames.ItemList)) throw new ArgumentException($"{BundleFileNames.ItemList} is written from the manifest's items.", nameof(files));
            // The items are checked against the manifest rules below, with the rest of the manifest.
            files = new Dictionary<string, byte[]>(files, StringComparer.Ordinal) { [BundleFileNames.ItemList] = ItemList.Encode(manifestWithoutFiles.Items) };
        }

        BundleLimits limits = BundleLimits.Default;
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (name, bytes) in files)
        {
            if (BundleFileNames.Explain(name) is { } problem) throw new ArgumentException($"Invalid bundle file: {problem}.", nameof(files));
            if (bytes is null) throw new ArgumentException($"Bundle file '{name}' has no content.", nameof(files));
            if (bytes.LongLength > limits.MaxFileBytes) throw new ArgumentException($"Bundle file '{name}' is {bytes.LongLength} bytes; devices accept at most {limits.MaxFileBytes}.", nameof(files));
            total += bytes.LongLength;
            hashes.Add(name, Sha256Hex.Of(bytes));
        }
        if (!hashes.ContainsKey(BundleFileNames.Model)) throw new ArgumentException($"A bundle must contain {BundleFileNames.Model}.", nameof(files));
        if (total > limits.MaxTotalFileBytes) throw new ArgumentException($"Bundle files total {total} bytes; devices accept at most {limits.MaxTotalFileBytes}.", nameof(files));

        BundleManifest manifest = manifestWithoutFiles with { Files = hashes.AsReadOnly(), KeyId = BundleKeyId.Compute(privateKey) };
        byte[] json = BundleManifestJson.Write(manifest);
        byte[] signature = SignManifest(json, privateKey);

        var ordered = files.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        ordered.Add(new(BundleFileNames.Manifest, json));
        ordered.Add(new(BundleFileNames.Signature, signature));
        BundleFileWriter.Write(directory, ordered);
        return manifest;
    }
}
