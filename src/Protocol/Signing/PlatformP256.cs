using System.Runtime.InteropServices;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Whether the platform's <see cref="System.Security.Cryptography.ECDsa"/> is worth asking to import a P-256 public key.
/// Everywhere but under Wine (which also runs Windows games on Linux and the Steam Deck, as Proton) it is. Wine 8's
/// CNG refuses every P-256 import (NTE_NOT_SUPPORTED), so asking there only costs a CryptographicException and the
/// loading of CNG, about 20-40 ms of the first odr_open, before the managed verifier takes over anyway. Recognised by
/// the export every Wine ntdll has and Windows' never does. Either answer keeps every signature checked.
/// </summary>
internal static class PlatformP256
{
    /// <summary>False only under Wine, where the import is known to fail.</summary>
    public static bool ImportWorthTrying { get; } = !RunsUnderWine();

    private static bool RunsUnderWine() =>
        OperatingSystem.IsWindows()
        && NativeLibrary.TryLoad("ntdll.dll", out nint ntdll)
        && NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _);
}
