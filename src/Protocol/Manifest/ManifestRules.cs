namespace OnDeviceReco.Protocol;

/// <summary>
/// What makes a manifest valid, in one place: the signer refuses to write what breaks these rules and the
/// reader refuses to accept it, so a bundle the trainer ships always loads on a device with default limits.
/// </summary>
internal static class ManifestRules
{
    /// <summary>Longest sequence and widest embedding accepted; far above real models, well below overflow.</summary>
    public const int MaxModelDimension = 65_536;

    /// <summary>Length of a SHA-256 in hex.</summary>
    public const int HashHexLength = 64;

    /// <summary>The first problem found in <paramref name="m"/>, or null when it is valid.</summary>
    public static string? Check(BundleManifest m, BundleLimits limits)
    {
        if (!IsKnownVersion(m.FormatVersion)) return $"formatVersion {m.FormatVersion} is not {BundleManifest.CurrentFormatVersion} or {BundleManifest.ItemListFormatVersion}";
        if (m.ModelVersion < 0) return $"modelVersion {m.ModelVersion} is negative";
        if (!StrictText.IsValidToken(m.Architecture, limits.MaxIdBytes)) return "architecture is empty, too long or not plain text";
        if (m.MaxSequenceLength is < 1 or > MaxModelDimension) return $"maxSequenceLength {m.MaxSequenceLength} is outside 1–{MaxModelDimension}";
        if (m.EmbeddingDimension is < 1 or > MaxModelDimension) return $"embeddingDimension {m.EmbeddingDimension} is outside 1–{MaxModelDimension}";
        if (!StrictText.IsLowerHex(m.KeyId, BundleKeyId.Length)) return $"keyId is not {BundleKeyId.Length} lowercase hex characters";
        if (m.CatalogueUpdate is { } update && (update.BaseVersion < 0 || update.BaseVersion >= m.ModelVersion || update.AddedItems < 1))
            return $"catalogueUpdate must extend an earlier version by at least one item; got base {update.BaseVersion}, {update.AddedItems} added";
        // Items kept in items.bin are checked when the verifier reads that file (ItemList.Read); before, the list is empty.
        bool itemsInFile = m.FormatVersion == BundleManifest.ItemListFormatVersion;
        HashSet<string>? known = null;
        if (!(itemsInFile && m.Items is { Count: 0 }) && CheckItems(m, limits, out known) is { } problem) return problem;
        return (known is null ? null : CheckItemIds(m, known.Contains)) ?? CheckFiles(m, limits) ?? CheckMetrics(m, limits);
    }

    public static bool IsKnownVersion(int version) => version is BundleManifest.CurrentFormatVersion or BundleManifest.ItemListFormatVersion;

    private static string? CheckItems(BundleManifest m, BundleLimits limits, out HashSet<string>? ids)
    {
        ids = null;
        if (m.Items is null || m.Items.Count == 0) return "items is empty";
        if (m.Items.Count > limits.MaxItems) return $"items has {m.Items.Count} entries; the limit is {limits.MaxItems}";
        ids = new HashSet<string>(m.Items.Count, StringComparer.Ordinal);
        for (int i = 0; i < m.Items.Count; i++)
        {
            BundleItem? item = m.Items[i];
            if (item is null) return $"item {i} is null";
            if (BundleItemRules.Check(item, limits) is { } problem) return $"item {i}: {problem}";
            if (!ids.Add(item.Id)) return $"item {i}: id '{BundleFileNames.Shorten(item.Id)}' appears twice";
        }
        return null;
    }

    /// <summary>
    /// The popularity list and the optional onboarding list may only name items the model knows (<paramref name="isItem"/>),
    /// each once; an unknown id could never be looked up.
    /// </summary>
    public static string? CheckItemIds(BundleManifest m, Func<string, bool> isItem) =>
        m.Popularity is null ? "popularity is null"
        : CheckIds("popularity", m.Popularity, isItem) ?? (m.Onboarding is null ? null : CheckIds("onboarding", m.Onboarding, isItem));

    private static string? CheckIds(string name, IReadOnlyList<string> list, Func<string, bool> isItem)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            string? id = list[i];
            if (id is null || !isItem(id)) return $"{name} {i}: '{BundleFileNames.Shorten(id ?? "null")}' is not an item";
            if (!seen.Add(id)) return $"{name} {i}: '{BundleFileNames.Shorten(id)}' appears twice";
        }
        return null;
    }

    private static string? CheckFiles(BundleManifest m, BundleLimits limits)
    {
        if (m.Files is null || m.Files.Count == 0) return "files is empty";
        if (m.Files.Count > limits.MaxFiles) return $"files has {m.Files.Count} entries; the limit is {limits.MaxFiles}";
        if (!m.Files.ContainsKey(BundleFileNames.Model)) return $"files does not list {BundleFileNames.Model}";
        if (m.FormatVersion == BundleManifest.ItemListFormatVersion && !m.Files.ContainsKey(BundleFileNames.ItemList))
            return $"files does not list {BundleFileNames.ItemList}, which holds the items of formatVersion {m.FormatVersion}";
        // Two names differing only in case are one file on a case-insensitive file system.
        var folded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, hash) in m.Files)
        {
            if (BundleFileNames.Explain(name) is { } problem) return problem;
            if (!folded.Add(name)) return $"file name '{name}' differs from another only in letter case";
            if (!StrictText.IsLowerHex(hash, HashHexLength)) return $"hash of '{name}' is not {HashHexLength} lowercase hex characters";
        }
        return null;
    }

    private static string? CheckMetrics(BundleManifest m, BundleLimits limits)
    {
        if (m.Metrics is null) return null;
        if (m.Metrics.Count > limits.MaxMetrics) return $"metrics has {m.Metrics.Count} entries; the limit is {limits.MaxMetrics}";
        foreach (var (name, value) in m.Metrics)
        {
            if (!StrictText.IsValidToken(name, limits.MaxIdBytes)) return "a metric name is empty, too long or not plain text";
            if (!double.IsFinite(value)) return $"metric '{name}' is not a finite number";
        }
        return null;
    }
}
