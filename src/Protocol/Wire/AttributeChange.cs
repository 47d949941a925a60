namespace OnDeviceReco.Protocol.Wire;

/// <summary>One change of a user attribute as it travels to the server.</summary>
/// <param name="Sequence">
/// The device's change counter (never reused, grows with every set or removal): the server keeps, per (device,
/// user, key), the change with the highest one, so resends and out-of-order deliveries land once and in order.
/// </param>
/// <param name="TimestampMs">Unix milliseconds when the app set or removed it.</param>
/// <param name="UserId">The profile the attribute describes.</param>
/// <param name="Key">The attribute (e.g. <c>platform</c>).</param>
/// <param name="Value">The new value, or null when the attribute was removed.</param>
public sealed record AttributeChange(long Sequence, long TimestampMs, string UserId, string Key, string? Value)
{
    /// <summary>
    /// The highest change number on the wire: 2^53, far beyond any device's count of changes, so that a device told
    /// the highest number the server holds (<see cref="AttributeAck.HighestSequence"/>) can always count on from it.
    /// </summary>
    public const long MaxSequence = 1L << 53;
}
