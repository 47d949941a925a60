namespace OnDeviceReco.Protocol.Exposure;

/// <summary>
/// How widely each item has been shown across all devices: per item id, how many devices the server holds an
/// impression of it from (devices, not app user ids, which a client can invent by the thousand). An item absent was
/// shown nowhere. Devices use it to explore where the population knows least; it holds no user's identity, only counts.
/// </summary>
/// <param name="GeneratedAtMs">When the server counted (Unix milliseconds), by its clock.</param>
/// <param name="ShownTo">Item id → devices that showed it (≥ 1).</param>
public sealed record ExposureCounts(long GeneratedAtMs, IReadOnlyDictionary<string, int> ShownTo);
