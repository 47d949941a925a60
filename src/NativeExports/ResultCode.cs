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
    public const int Internal = 99;         // ODR_EINTERNAL

    public static string Describe(int code) => code switch
    {
        Ok => "not an error",
        InvalidArgument => "invalid argument",
        OutOfMemory => "out of memory",
        Io => "I/O error",
        Corrupt => "database or model damaged",
        State => "wrong state (closed handle, no model, disposed)",
        Refused => "model bundle refused",
        Full => "event queue full",
        NoConsent => "consent revoked: event not recorded",
        Internal => "internal error",
        _ => "unknown result code",
    };

    /// <summary>Maps any exception to a code: the one place that decides how failures look to C.</summary>
    public static int From(Exception e) => e switch
    {
        InvalidEventException or ArgumentException => InvalidArgument,
        ObjectDisposedException => State,
        ModelLoadException => Refused,
        BehaviorStoreException { Kind: StoreErrorKind.Corrupt } => Corrupt,
        BehaviorStoreException { Kind: StoreErrorKind.Disposed } => State,
        BehaviorStoreException => Io,
        IOException or UnauthorizedAccessException => Io,
        InvalidOperationException => State, // e.g. odr_sync without sync_url
        OutOfMemoryException => OutOfMemory,
        _ => Internal,
    };
}
