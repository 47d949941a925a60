using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// odr_errstr, odr_errmsg and odr_last_error: the texts of result codes and of the calling thread's last failures
/// (kept by <see cref="ErrorMessages"/>).
/// </summary>
internal static unsafe class ErrorExports
{
    private static readonly nint[] CodeStrings = Enumerable.Range(0, 100).Select(c => (nint)Utf8Strings.Allocate(ResultCode.Describe(c))).ToArray();

    // Even these cannot let an exception out: reading a static field can run the type initialiser, which can fail.
    [UnmanagedCallersOnly(EntryPoint = "odr_errstr")]
    public static byte* OdrErrstr(int code)
    {
        try
        {
            return (byte*)CodeStrings[code is >= 0 and < 100 ? code : 98];
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_errmsg")]
    public static byte* OdrErrmsg(nint handle)
    {
        try
        {
            var box = HandleTable<ClientBox>.Find(handle);
            if (box is null || !box.TryAcquire())
            {
                return ErrorMessages.Thread;
            }
            try
            {
                return box.Message;
            }
            finally
            {
                box.Release();
            }
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_last_error")]
    public static byte* OdrLastError()
    {
        try
        {
            return ErrorMessages.Thread;
        }
        catch
        {
            return null;
        }
    }
}
