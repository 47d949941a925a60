namespace OnDeviceReco;

/// <summary>What went wrong in the store, for callers that map failures to codes.</summary>
public enum StoreErrorKind
{
    /// <summary>Reading or writing the database file failed (disk full, permissions, I/O error).</summary>
    Io = 1,
    /// <summary>The database was written by a newer SDK with a schema this one does not know.</summary>
    SchemaTooNew = 2,
    /// <summary>The store was disposed.</summary>
    Disposed = 3,
    /// <summary>The database file is damaged and could not be recovered.</summary>
    Corrupt = 4,
    /// <summary>The disk (or the database's size limit) is full; queued events stay in memory and are retried.</summary>
    DiskFull = 5,
}

/// <summary>A store operation failed for a reason other than bad input.</summary>
public sealed class BehaviorStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BehaviorStoreException(StoreErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    /// <summary>The kind of failure.</summary>
    public StoreErrorKind Kind { get; }
}
