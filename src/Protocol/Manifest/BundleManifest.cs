namespace OnDeviceReco.Protocol;

/// <summary>
/// What a model bundle holds and how to use it. Signed as the exact bytes of <c>manifest.json</c>;
/// every other file of the bundle is pinned by its SHA-256 in <see cref="Files"/>.
/// Record equality compares the collections by reference, not by content.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The format version written unless asked otherwise: the item list is the manifest's JSON <c>items</c>.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>
    /// The format version whose item list is the signed binary file <see cref="BundleFileNames.ItemList"/>
    /// instead of JSON: a device reads it in place instead of parsing and holding an object
    /// per item. Libraries that know only version 1 refuse such a bundle as <see cref="BundleRejectReason.UnsupportedFormat"/>.
    /// </summary>
    public const int ItemListFormatVersion = 2;

    /// <summary>Layout version of the manifest (1 or 2). A reader refuses any version it does not know.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Version of the trained model; larger is newer.</summary>
    public required long ModelVersion { get; init; }

    /// <summary>When the trainer produced the bundle.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Model family, e.g. <c>sasrec</c> or <c>gru</c>; tells the device how to build the input.</summary>
    public required string Architecture { get; init; }

    /// <summary>Length of the item sequence the model takes.</summary>
    public required int MaxSequenceLength { get; init; }

    /// <summary>Width of the model's item embeddings.</summary>
    public required int EmbeddingDimension { get; init; }

    /// <summary>
    /// The model's vocabulary: <c>Items[i]</c> has model index <c>i + 1</c>; index 0 is padding. In a verified bundle of
    /// <see cref="ItemListFormatVersion"/> this is the <see cref="ItemList"/> read from its file; in manifest JSON of that
    /// version alone (<see cref="BundleManifestJson.Read"/>) it is empty.
    /// </summary>
    public required IReadOnlyList<BundleItem> Items { get; init; }

    /// <summary>Item ids, most popular first, for users the model cannot serve yet (cold start).</summary>
    public required IReadOnlyList<string> Popularity { get; init; }

    /// <summary>
    /// Optional: item ids to ask a brand-new user about, in the order to ask them, chosen by the server where the device
    /// cannot (e.g. for coverage of the items' text, a model the device never runs). Null when the bundle has none: the
    /// device then picks from popularity and the model's item vectors. Libraries that do not know it skip it.
    /// </summary>
    public IReadOnlyList<string>? Onboarding { get; init; }

    /// <summary>
    /// File name → lowercase hex SHA-256 for every file of the bundle except <c>manifest.json</c> and
    /// <c>manifest.sig</c>. Filled in by <see cref="BundleSigner.WriteBundle"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Optional evaluation results, e.g. <c>ndcg@10</c> on the validation split.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>
    /// Which key signed the bundle: the first 16 lowercase hex characters of the SHA-256 of the signer's
    /// SubjectPublicKeyInfo DER (see <see cref="BundleKeyId"/>). Filled in by <see cref="BundleSigner.WriteBundle"/>.
    /// </summary>
    public string KeyId { get; init; } = "";

    /// <summary>
    /// Set when this version is an earlier one's model with items added to its catalogue (no retraining): which version
    /// it extends and how many items it added at the end of <see cref="Items"/>. Null for a trained version. Additive:
    /// readers that predate it skip it.
    /// </summary>
    public CatalogueUpdate? CatalogueUpdate { get; init; }
}

/// <summary>A catalogue update: the version whose model and items this bundle keeps, and how many items it appends.</summary>
public sealed record CatalogueUpdate(long BaseVersion, int AddedItems);
