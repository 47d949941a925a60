using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_set_log_callback: where the library's log lines go (see <see cref="CallbackLogging"/>).</summary>
internal static unsafe class LogExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_set_log_callback")]
    public static int OdrSetLogCallback(delegate* unmanaged<void*, int, byte*, void> callback, void* userData)
    {
        try
        {
            CallbackLogging.Install(callback, userData);
            return ResultCode.Ok;
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }
}
