using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Device side: accepts a bundle only when <c>manifest.sig</c> is a trusted key's signature of
/// <c>manifest.json</c> and every listed file has the signed hash. Nothing is parsed before its signature
/// is checked, and the returned bytes are the ones that were checked, so nothing on the device reads a
/// file it has not verified. Immutable and safe to share between threads.
/// </summary>
public sealed class BundleVerifier
{
    // Sorted by key id; only public parts are kept, never private key material.
    private readonly TrustedKey[] _trusted;

    /// <summary>Creates a verifier that trusts <paramref name="trustedKeys"/> (P-256; only their public parts are kept).</summary>
    /// <param name="trustedKeys">One or more keys; more than one lets a device accept bundles across a key rotation.</param>
    /// <param name="limits">Caps to enforce; <see cref="BundleLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentException">When there is no key or a key is not P-256.</exception>
    public BundleVerifier(IEnumerable<ECDsa> trustedKeys, BundleLimits? limits = null)
        : this(PublicParts(trustedKeys), limits)
    {
    }

    /// <summary>Creates a verifier that trusts the public keys in <paramref name="trustedPublicKeyPems"/> (SubjectPublicKeyInfo PEM).</summary>
    /// <param name="trustedPublicKeyPems">One or more PEM public keys, e.g. shipped inside the app.</param>
    /// <param name="limits">Caps to enforce; <see cref="BundleLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentException">When there is no key, or a PEM is not a P-256 public key.</exception>
    public BundleVerifier(IEnumerable<string> trustedPublicKeyPems, BundleLimits? limits = null)
        : this(PublicParts(trustedPublicKeyPems), limits)
    {
    }

    private BundleVerifier(List<TrustedKey> keys, BundleLimits? limits)
    {
        var byId = new Dictionary<string, TrustedKey>(StringComparer.Ordinal);
        foreach (TrustedKey key in keys) byId.TryAdd(key.Id, key);
        if (byId.Count == 0) throw new ArgumentException("At least one trusted key is required.", "trustedKeys");
        _trusted = byId.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Value).ToArray();
        TrustedKeyIds = Array.AsReadOnly(_trusted.Select(k => k.Id).ToArray());
        Limits = limits ?? BundleLimits.Default;
    }

    /// <summary>Ids of the trusted keys, sorted.</summary>
    public IReadOnlyList<string> TrustedKeyIds { get; }

    /// <summary>The caps this verifier enforces.</summary>
    public BundleLimits Limits { get; }

    /// <summary>Verifies the bundle in <paramref name="directory"/> and returns its verified content.</summary>
    /// <exception cref="BundleVerificationException">When the bundle is refused; <see cref="BundleVerificationException.Reason"/> says why.</exception>
    /// <exception cref="ArgumentException">When <paramref name="directory"/> is null or empty.</exception>
    public VerifiedBundle Verify(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new BundleVerificationException(BundleRejectReason.Missing, null, $"Bundle directory '{directory}' does not exist.");

        byte[] manifestJson = BundleFileReader.Read(directory, BundleFileNames.Manifest, Limits.MaxManifestBytes,
            BundleRejectReason.Missing, BundleRejectReason.FileTooLarge);
        // Any other length is not a P1363 P-256 signature; reading more of it would be pointless.
        byte[] signature = BundleFileReader.Read(directory, BundleFileNames.Signature, P256Keys.SignatureLength,
            BundleRejectReason.Missing, BundleRejectReason.SignatureInvalid);

        string signerKeyId = FindSigner(manifestJson, signature);
        BundleManifest manifest = BundleManifestJson.Read(manifestJson, Limits);
        if (manifest.KeyId != signerKeyId)
        {
            throw new BundleVerificationException(BundleRejectReason.ManifestMalformed, BundleFileNames.Manifest,
                $"{BundleFileNames.Manifest} names key {manifest.KeyId} but was signed by key {signerKeyId}.");
        }

        RejectUnlisted(directory, manifest);
        var files = ReadListedFiles(directory, manifest);
        if (manifest.FormatVersion == BundleManifest.ItemListFormatVersion)
        {
            manifest = BindItemList(manifest, files[BundleFileNames.ItemList]);
        }
        return new VerifiedBundle(manifest, manifestJson, signature, files);
    }

    /// <summary>Reads the verified item list file into <paramref name="manifest"/>, checking it and the popularity and onboarding ids against it.</summary>
    private BundleManifest BindItemList(BundleManifest manifest, byte[] bytes)
    {
        ItemList items;
        try
        {
            items = ItemList.Read(bytes, Limits);
        }
        catch (InvalidDataException e)
        {
            throw new BundleVerificationException(BundleRejectReason.ManifestMalformed, BundleFileNames.ItemList, e.Message, e);
        }
        if (ManifestRules.CheckItemIds(manifest, items.Contains) is { } problem)
        {
            throw new BundleVerificationException(BundleRejectReason.ManifestMalformed, BundleFileNames.Manifest, $"{BundleFileNames.Manifest} {problem}.");
        }
        return manifest with { Items = items };
    }

    /// <summary>Like <see cref="Verify"/>, but reports a refused bundle instead of throwing (I/O failures included).</summary>
    /// <returns>True with <paramref name="bundle"/> set when the bundle verified; false with <paramref name="rejection"/> set otherwise.</returns>
    public bool TryVerify(string directory, [NotNullWhen(true)] out VerifiedBundle? bundle, [NotNullWhen(false)] out BundleRejection? rejection)
    {
        try
        {
            bundle = Verify(directory);
            rejection = null;
            return true;
        }
        catch (BundleVerificationException e)
        {
            bundle = null;
            rejection = new BundleRejection(e.Reason, e.FileName, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is a trusted key's ECDSA P-256 / SHA-256 signature (IEEE P1363) of
    /// <paramref name="data"/>: for other signed documents from the same server, such as exposure tables.
    /// </summary>
    public bool IsTrustedSignature(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => TrustedSigner(SHA256.HashData(data), signature) is not null;

    private string? TrustedSigner(byte[] hash, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != P256Keys.SignatureLength)
        {
            return null;
        }
        // Every trusted key is tried (there are one or two) rather than trusting a claimed key id to pick one.
        foreach (TrustedKey key in _trusted)
        {
            if (key.Verifies(hash, signature)) return key.Id;
        }
        return null;
    }

    /// <summary>The id of the trusted key whose signature of <paramref name="manifestJson"/> is <paramref name="signature"/>.</summary>
    private string FindSigner(byte[] manifestJson, byte[] signature)
    {
        if (TrustedSigner(SHA256.HashData(manifestJson), signature) is { } signer) return signer;

        // Refused either way; the unverified keyId only chooses the more helpful message.
        string? claimed = TopLevelJson.PeekKeyId(manifestJson);
        if (claimed is not null && !TrustedKeyIds.Contains(claimed))
        {
            throw new BundleVerificationException(BundleRejectReason.UnknownKey, BundleFileNames.Manifest,
                $"{BundleFileNames.Manifest} says it is signed by key {claimed}, which is not trusted (trusted: {string.Join(", ", TrustedKeyIds)}).");
        }
        throw new BundleVerificationException(BundleRejectReason.SignatureInvalid, BundleFileNames.Signature,
            $"{BundleFileNames.Signature} is not a valid signature of {BundleFileNames.Manifest} by a trusted key ({signature.Length} bytes).");
    }

    /// <summary>Refuses entries the manifest does not list: stale or planted files must not ride along unnoticed.</summary>
    private static void RejectUnlisted(string directory, BundleManifest manifest)
    {
        try
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(directory))
            {
                string name = Path.GetFileName(path);
                if (name is BundleFileNames.Manifest or BundleFileNames.Signature || manifest.Files.ContainsKey(name)) continue;
                throw new BundleVerificationException(BundleRejectReason.UnlistedFile, name,
                    $"{BundleFileNames.Shorten(name)} is in the bundle directory but not listed in {BundleFileNames.Manifest}.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BundleVerificationException(BundleRejectReason.Unreadable, null, $"Bundle directory '{directory}' could not be listed: {e.Message}", e);
        }
    }

    /// <summary>Reads each listed file once, in name order, checking size caps before reading and the hash after.</summary>
    private IReadOnlyDictionary<string, byte[]> ReadListedFiles(string directory, BundleManifest manifest)
    {
        var files = new Dictionary<string, byte[]>(manifest.Files.Count, StringComparer.Ordinal);
        long remaining = Limits.MaxTotalFileBytes;
        foreach (var (name, expectedHash) in manifest.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            long cap = Math.Min(Limits.MaxFileBytes, remaining);
            byte[] bytes = BundleFileReader.Read(directory, name, cap, BundleRejectReason.FileMissing, BundleRejectReason.FileTooLarge);
            string actualHash = Sha256Hex.Of(bytes);
            if (actualHash != expectedHash)
            {
                throw new BundleVerificationException(BundleRejectReason.FileHashMismatch, name,
                    $"{name} has SHA-256 {actualHash} ({bytes.Length} bytes) but {BundleFileNames.Manifest} says {expectedHash}.");
            }
            remaining -= bytes.Length;
            files.Add(name, bytes);
        }
        return files.AsReadOnly();
    }

    private static List<TrustedKey> PublicParts(IEnumerable<ECDsa> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var parts = new List<TrustedKey>();
        foreach (ECDsa key in keys)
        {
            P256Keys.Require(key, "trustedKeys");
            parts.Add(TrustedKey.FromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), "trustedKeys"));
        }
        return parts;
    }

    // Decoded without the platform's ECDsa, so that a platform unable to import P-256 keys still gets a verifier.
    private static List<TrustedKey> PublicParts(IEnumerable<string> pems)
    {
        ArgumentNullException.ThrowIfNull(pems);
        var parts = new List<TrustedKey>();
        foreach (string pem in pems)
        {
            parts.Add(TrustedKey.FromSubjectPublicKeyInfo(PemKeys.DecodePublicKey(pem, "pem"), "pem"));
        }
        return parts;
    }
}
