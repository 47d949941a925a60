using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// Error messages as C strings. Each handle keeps the last message of each thread that failed on it (odr_errmsg,
/// see <see cref="HandleMessages"/>); each thread keeps its own last message (odr_last_error). Only the thread a
/// message belongs to replaces it, so a message never changes or goes away under a reader on another thread.
/// </summary>
internal static unsafe class ErrorMessages
{
    [ThreadStatic]
    private static nint _threadMessage;

    public static byte* Thread => (byte*)_threadMessage;

    public static void SetThread(string message)
    {
        var previous = _threadMessage;
        _threadMessage = (nint)Utf8Strings.Allocate(message);
        NativeMemory.Free((void*)previous);
    }

    /// <summary>Records the failure on the handle (if any) and on the thread, and returns its code.</summary>
    public static int Fail(ClientBox? client, int code, string message)
    {
        SetThread(message);
        client?.SetError(message);
        return code;
    }

    public static int Fail(ClientBox? client, Exception e) => Fail(client, ResultCode.From(e), CErrorText.For(ResultCode.Unwrap(e)));
}
