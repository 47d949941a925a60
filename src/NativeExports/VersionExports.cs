using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_version and odr_abi_version: which library and which ABI the host has loaded.</summary>
internal static unsafe class VersionExports
{
    /// <summary>
    /// The ABI this library implements: ODR_ABI_VERSION of the header it was built with. Raised whenever the header
    /// grows (tests/native/abi_manifest.txt lists what each version added); tests/native/abi_layout.c checks that
    /// odr_abi_version() and the header agree.
    /// </summary>
    public const int AbiVersion = 3;
    private static readonly byte* Version = Utf8Strings.Allocate(typeof(VersionExports).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    // Even this cannot let an exception out: reading a static field can run the type initialiser, which can fail.
    [UnmanagedCallersOnly(EntryPoint = "odr_version")]
    public static byte* OdrVersion()
    {
        try
        {
            return Version;
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_abi_version")]
    public static int OdrAbiVersion() => AbiVersion;
}
