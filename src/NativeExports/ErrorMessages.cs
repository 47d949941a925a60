using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// Error messages as C strings. Each handle keeps its last message (odr_errmsg); each thread keeps the last
/// message of calls that had no usable handle (odr_last_error). A message stays valid until the next call
/// that sets one on the same handle or thread, as with sqlite3_errmsg.
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

    public static int Fail(ClientBox? client, Exception e) => Fail(client, ResultCode.From(e), e.Message);
}
