namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// Bounds every decoder checks before it allocates, so hostile or damaged bytes cost at most these amounts.
/// The defaults fit the SDK's own batches with room to spare.
/// </summary>
public sealed record WireLimits
{
    /// <summary>The defaults.</summary>
    public static WireLimits Default { get; } = new();

    /// <summary>Most events in one batch.</summary>
    public int MaxEventsPerBatch { get; init; } = 50_000;

    /// <summary>Most bytes a message may declare after decompression.</summary>
    public int MaxDecodedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Longest id or context string, in UTF-8 bytes (the device's own limit is 256).</summary>
    public int MaxStringBytes { get; init; } = 1024;

    /// <summary>Most context entries on one event.</summary>
    public int MaxContextEntries { get; init; } = 32;

    /// <summary>Most attribute changes in one attribute batch.</summary>
    public int MaxAttributeChangesPerBatch { get; init; } = 10_000;

    /// <summary>Most files in a model package.</summary>
    public int MaxPackageFiles { get; init; } = 16;

    /// <summary>Largest model package, in bytes.</summary>
    public int MaxPackageBytes { get; init; } = 512 * 1024 * 1024;

    /// <summary>Most items in an exposure table (<see cref="Exposure.SignedExposure"/>); a server with more sends its most shown.</summary>
    public int MaxExposureItems { get; init; } = 1_000_000;
}
