namespace OnDeviceReco.Protocol.Exposure;

/// <summary>
/// How widely each item has been shown across all devices: per item id, how many users (a device's user id) the
/// server holds an impression of it for. An item absent was shown to nobody. Devices use it to explore where the
/// population knows least (issue 17); it holds no user's identity, only counts.
/// </summary>
/// <param name="GeneratedAtMs">When the server counted (Unix milliseconds), by its clock.</param>
/// <param name="ShownTo">Item id → users shown it (≥ 1).</param>
public sealed record ExposureCounts(long GeneratedAtMs, IReadOnlyDictionary<string, int> ShownTo);
