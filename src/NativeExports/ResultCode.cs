using System.Reflection;
using OnDeviceReco.Storage;
using SQLitePCL;

namespace OnDeviceReco.Native;

/// <summary>Result codes of the C ABI; the numbers are part of the ABI (see ondevicereco.h).</summary>
internal static class ResultCode
{
    public const int Ok = 0;
    public const int InvalidArgument = 1;   // ODR_EINVAL
    public const int OutOfMemory = 2;       // ODR_ENOMEM
    public const int Io = 3;                // ODR_EIO
    public const int Corrupt = 4;           // ODR_ECORRUPT
    public const int State = 5;             // ODR_ESTATE
    public const int Refused = 6;           // ODR_EREFUSED
    public const int Full = 7;              // ODR_EFULL
    public const int NoConsent = 8;         // ODR_ECONSENT
    public const int Pending = 9;           // ODR_PENDING (odr_poll: not ready yet; not an error)
    public const int Canceled = 10;         // ODR_ECANCELED (odr_poll: no answer will come)
    public const int NothingOnServer = 11;  // ODR_EXPORT_NOTHING_ON_SERVER (odr_export_server_json; not an error)
    public const int Internal = 99;         // ODR_EINTERNAL

    public static string Describe(int code) => code switch
    {
        Ok => "not an error",
        InvalidArgument => "invalid argument",
        OutOfMemory => "out of memory",
        Io => "I/O error",
        Corrupt => "database or model damaged",
        // One text per code, so each must be true of every call that returns the code (see ondevicereco.h).
        State => "wrong state: the handle is closed or not from odr_open, or sync is not configured",
        Refused => "refused: a model failed verification, download or loading, or the server refused the sync or export",
        Full => "event queue full: event not recorded",
        NoConsent => "no consent: event not recorded (consent revoked), or sync stopped (consent not granted)",
        Pending => "pending: the request's answer is not ready yet; poll again later",
        Canceled => "canceled: the request was canceled, or its client was closed before it ran",
        NothingOnServer => "nothing on the server: this device never contacted one, so there is nothing to export",
        Internal => "internal error",
        _ => "unknown result code",
    };

    /// <summary>Maps any exception to a code: the one place that decides how failures look to C.</summary>
    public static int From(Exception e) => Unwrap(e) switch
    {
        InvalidEventException or ArgumentException => InvalidArgument,
        ObjectDisposedException => State,
        ModelLoadException => Refused,
        BehaviorStoreException { Kind: StoreErrorKind.Corrupt } => Corrupt,
        BehaviorStoreException { Kind: StoreErrorKind.Disposed } => State,
        BehaviorStoreException => Io,
        SqliteException sqlite => FromSqlite(sqlite.ResultCode),
        IOException or UnauthorizedAccessException => Io,
        InvalidOperationException => State, // e.g. odr_sync without sync_url
        OutOfMemoryException or InsufficientExecutionStackException => OutOfMemory,
        _ => Internal,
    };

    /// <summary>
    /// The exception that says what went wrong: a task's AggregateException or a reflection or type-initialiser
    /// wrapper only carries its inner exception (and a message that hides it).
    /// </summary>
    public static Exception Unwrap(Exception e)
    {
        while (true)
        {
            var inner = e switch
            {
                AggregateException aggregate when aggregate.InnerExceptions.Count == 1 => aggregate.InnerExceptions[0],
                TargetInvocationException or TypeInitializationException => e.InnerException,
                _ => null,
            };
            if (inner is null)
            {
                return e;
            }
            e = inner;
        }
    }

    /// <summary>SQLite's primary result codes to ours.</summary>
    private static int FromSqlite(int code) => code switch
    {
        raw.SQLITE_NOMEM => OutOfMemory,
        raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB => Corrupt,
        // Disk full, unreadable or unwritable files, and a database another connection keeps locked past the
        // busy timeout all are "the database could not be read or written" (ODR_EIO), as the header says.
        raw.SQLITE_FULL or raw.SQLITE_IOERR or raw.SQLITE_CANTOPEN or raw.SQLITE_READONLY or raw.SQLITE_PERM
            or raw.SQLITE_BUSY or raw.SQLITE_LOCKED or raw.SQLITE_PROTOCOL => Io,
        _ => Internal, // SQLITE_ERROR, SQLITE_MISUSE…: a bug in the SDK's SQL
    };
}
