namespace OnDeviceReco.Feedback;

/// <summary>
/// What the store holds under one device, for that device's export (a user's right of access and portability): the
/// device's row, its events, attributes and batch records, each read as a stream in a stable order. Part of every
/// <see cref="IFeedbackStore"/>.
/// </summary>
public interface IDeviceDataExport
{
    /// <summary>
    /// The device's rows: found (with the store's key for each pseudonym period the store still holds data of),
    /// erased (only its marker is left), or unknown.
    /// </summary>
    ExportedDevice FindDevice(string deviceId);

    /// <summary>The device's events by sequence, as stored (user ids included, as the store holds them).</summary>
    IEnumerable<ExportedEvent> ReadDeviceEvents(IReadOnlyList<long> deviceKeys);

    /// <summary>The device's attribute rows by (user, key); a null value is a removal the store remembers.</summary>
    IEnumerable<ExportedAttribute> ReadDeviceAttributes(IReadOnlyList<long> deviceKeys);

    /// <summary>The device's batch records (the idempotency keys) by arrival.</summary>
    IEnumerable<ExportedBatch> ReadDeviceBatches(IReadOnlyList<long> deviceKeys);
}

/// <summary>Whether a device's row was found.</summary>
public enum ExportedDeviceState
{
    Found,
    Erased,
    Unknown,
}

/// <summary>
/// A device as the store holds it. A pseudonym key rotation gives the device a new name and row in each period it
/// synced in: <paramref name="Keys"/> are the store's keys of all of them, <paramref name="DeviceId"/> its newest name,
/// <paramref name="FirstSeenMs"/> when its first row was made.
/// </summary>
public sealed record ExportedDevice(ExportedDeviceState State, IReadOnlyList<long> Keys, string? DeviceId = null, long FirstSeenMs = 0)
{
    public ExportedDevice(ExportedDeviceState state) : this(state, []) { }
}

/// <summary>One stored event; <paramref name="Context"/> is the stored JSON object (request id included) or null.</summary>
public readonly record struct ExportedEvent(long Sequence, long TimestampMs, string UserId, string ItemId, int Type, double Value, string? Context);

/// <summary>One stored attribute row.</summary>
public readonly record struct ExportedAttribute(string UserId, string Key, string? Value, long ChangeSequence, long TimestampMs);

/// <summary>One batch record.</summary>
public readonly record struct ExportedBatch(Guid BatchId, long LastSequence, int Stored, int AlreadyStored, long ReceivedMs);
