using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_load_model: a signed model bundle from disk, verified and swapped in.</summary>
internal static unsafe class ModelExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_load_model")]
    public static int OdrLoadModel(nint handle, byte* bundleDirectory, long* outVersion) => ClientCalls.WithClient(handle, box =>
    {
        var info = box.Client.LoadModel(Utf8Strings.Read(bundleDirectory, "bundle_dir", Utf8Strings.MaxPathBytes));
        if (outVersion is not null)
        {
            *outVersion = info.ModelVersion;
        }
        return ResultCode.Ok;
    });
}
