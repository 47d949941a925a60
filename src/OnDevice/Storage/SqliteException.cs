namespace OnDeviceReco.Storage;

/// <summary>A SQLite call failed; carries SQLite's primary and extended result codes.</summary>
public sealed class SqliteException : Exception
{
    internal SqliteException(string message, int resultCode, int extendedResultCode = 0)
        : base(message)
    {
        ResultCode = resultCode;
        ExtendedResultCode = extendedResultCode == 0 ? resultCode : extendedResultCode;
    }

    /// <summary>The primary SQLite result code, e.g. 11 (SQLITE_CORRUPT).</summary>
    public int ResultCode { get; }

    /// <summary>The extended SQLite result code.</summary>
    public int ExtendedResultCode { get; }

    /// <summary>True when SQLite says the file is damaged or is not a database at all.</summary>
    public bool IsCorruption => ResultCode is SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB;
}
