namespace OnDeviceReco;

/// <summary>How much SQLite syncs to disk at each commit.</summary>
public enum Durability
{
    /// <summary>Every commit is fsynced: a committed event survives a process kill and a power cut.</summary>
    Full = 0,
    /// <summary>Commits survive a process kill; the last ones may be lost on a power cut. Fewer fsyncs.</summary>
    Normal = 1,
}

/// <summary>Settings of the on-device behaviour store.</summary>
public sealed class StoreOptions
{
    /// <summary>Path of the SQLite file. Its directory must exist. Required.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>At most this many events are kept; the oldest are evicted first. Default 500,000.</summary>
    public long MaxRows { get; init; } = 500_000;

    /// <summary>Events older than this are evicted. Default 365 days.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Longest time a tracked event waits in memory before the writer commits it. Default 500 ms.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most events per transaction; reaching it also wakes the writer early. Default 8,192: fewer, larger commits keep sustained throughput near the raw-INSERT floor.</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>Events that may wait in memory for the disk; beyond it Track returns QueueFull. Default 100,000.</summary>
    public int MaxQueuedEvents { get; init; } = 100_000;

    /// <summary>
    /// Longest Dispose waits for the writer's last commit. A disk that hangs cannot hang the app's shutdown; events
    /// not yet flushed are then lost (and logged).
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How far ahead of the device clock a timestamp may be. Default 1 day.</summary>
    public TimeSpan MaxClockSkew { get; init; } = Protocol.Events.EventContract.DefaultMaxClockSkew;

    /// <summary>
    /// Largest size, in bytes, the database file may grow to; null (the default) leaves it to the disk. Reaching it is
    /// handled as a full disk: events tracked meanwhile wait in memory (Track returns QueueFull once
    /// <see cref="MaxQueuedEvents"/> wait), Flush throws a <see cref="BehaviorStoreException"/> of kind
    /// <see cref="StoreErrorKind.DiskFull"/>, the health reports the write error, reads and recommendations go on from
    /// what is committed, and nothing committed is lost; once the bound is raised the waiting events are written. A bound
    /// below the file's present size keeps it from growing (it is not shrunk). The write-ahead log beside the file is not
    /// counted.
    /// </summary>
    public long? MaxDatabaseBytes { get; init; }

    /// <summary>Commit durability. Default <see cref="OnDeviceReco.Durability.Full"/>.</summary>
    public Durability Durability { get; init; } = Durability.Full;

    /// <summary>Runs SQLite's quick_check at open to catch a damaged file early. Default true.</summary>
    public bool VerifyOnOpen { get; init; } = true;

    /// <summary>Inactivity that ends a session in profiles. Default 30 minutes.</summary>
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Half-life of an event's weight in category affinities. Default 14 days.</summary>
    public TimeSpan AffinityHalfLife { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Most recent events a profile is computed from. Default 5,000.</summary>
    public int ProfileWindow { get; init; } = 5_000;

    /// <summary>The clock; tests substitute their own. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("DatabasePath is required.", nameof(DatabasePath));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRows, 1, nameof(MaxRows));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxAge, TimeSpan.Zero, nameof(MaxAge));
        ArgumentOutOfRangeException.ThrowIfLessThan(FlushInterval, TimeSpan.FromMilliseconds(1), nameof(FlushInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedEvents, 1, nameof(MaxQueuedEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxClockSkew, TimeSpan.Zero, nameof(MaxClockSkew));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SessionGap, TimeSpan.Zero, nameof(SessionGap));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AffinityHalfLife, TimeSpan.Zero, nameof(AffinityHalfLife));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProfileWindow, 1, nameof(ProfileWindow));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ValidateMaxDatabaseBytes(MaxDatabaseBytes);
    }

    internal static void ValidateMaxDatabaseBytes(long? maxBytes)
    {
        if (maxBytes is { } bytes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1, nameof(MaxDatabaseBytes));
        }
    }
}
