using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_set_consent, odr_get_consent and odr_erase_all: the user's say over their data.</summary>
internal static unsafe class ConsentExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_set_consent")]
    public static int OdrSetConsent(nint handle, int consent) => ClientCalls.WithClient(handle, box =>
    {
        box.Client.SetConsent((ConsentState)consent);
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_get_consent")]
    public static int OdrGetConsent(nint handle, int* consent) => ClientCalls.WithClient(handle, box =>
    {
        if (consent is null)
        {
            throw new ArgumentException("consent must not be NULL.");
        }
        *consent = (int)box.Client.Consent;
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_erase_all")]
    public static int OdrEraseAll(nint handle) => ClientCalls.WithClient(handle, box =>
    {
        box.Client.EraseAllData();
        return ResultCode.Ok;
    });
}
