namespace OnDeviceReco.Storage;

/// <summary>
/// One entry of the writer's queue: either an event to insert or a command to run after everything queued
/// before it is committed. A struct, so tracking an event allocates nothing but its context JSON.
/// </summary>
internal readonly record struct QueuedWrite(
    long TimestampMs,
    string? UserId,
    string? ItemId,
    int Type,
    double Value,
    string? ContextJson,
    SyncState SyncState,
    WriterCommand? Command)
{
    public static QueuedWrite For(WriterCommand command) => new(0, null, null, 0, 0, null, SyncState.Pending, command);
}

/// <summary>Sync state of a stored event.</summary>
internal enum SyncState
{
    Pending = 0,
    Synced = 1,
    LocalOnly = 2,
    /// <summary>The server refused the event for good (it breaks the event contract): set aside, never sent again.</summary>
    Refused = 3,
}
