namespace OnDeviceReco.Protocol;

/// <summary>
/// Caps on what a bundle may ask a device to hold in memory, checked before anything is allocated,
/// so a hostile or broken bundle cannot exhaust memory. The signer checks the defaults, so a bundle
/// it writes is never refused by a device using them.
/// </summary>
public sealed record BundleLimits
{
    /// <summary>The limits devices use unless told otherwise.</summary>
    public static BundleLimits Default { get; } = new();

    /// <summary>Largest accepted <c>manifest.json</c>, in bytes (64 MiB).</summary>
    public int MaxManifestBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Most items in the model's vocabulary.</summary>
    public int MaxItems { get; init; } = 5_000_000;

    /// <summary>Longest item id, category, metric name or architecture, in UTF-8 bytes (the device store's id limit).</summary>
    public int MaxIdBytes { get; init; } = 256;

    /// <summary>Longest item title, in UTF-8 bytes.</summary>
    public int MaxTitleBytes { get; init; } = 1024;

    /// <summary>Most categories on one item (the device store's limit).</summary>
    public int MaxCategoriesPerItem { get; init; } = 32;

    /// <summary>Most files a manifest may list.</summary>
    public int MaxFiles { get; init; } = 64;

    /// <summary>Most metrics a manifest may carry.</summary>
    public int MaxMetrics { get; init; } = 256;

    /// <summary>Largest accepted bundle file, e.g. <c>model.onnx</c>, in bytes (1 GiB).</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Largest accepted sum of all listed files, in bytes (1.5 GiB).</summary>
    public long MaxTotalFileBytes { get; init; } = 3L << 29;
}
