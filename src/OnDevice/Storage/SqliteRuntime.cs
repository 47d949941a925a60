using System.Runtime.InteropServices;
using SQLitePCL;

namespace OnDeviceReco.Storage;

/// <summary>Initialises the bundled SQLite exactly once per process.</summary>
internal static partial class SqliteRuntime
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;

    // A static constructor is the only initialisation the runtime guarantees to run once and to finish
    // before any other thread sees the type; an interlocked flag let a second thread in too early.
    static SqliteRuntime()
    {
        if (OperatingSystem.IsLinux())
        {
            // libe_sqlite3.so calls trunc() from libm without declaring libm as a dependency. A host that
            // dlopen()s us with RTLD_LOCAL and does not link libm itself would fail to load SQLite; making
            // libm global first fixes that from inside the library.
            DlOpen("libm.so.6", RtldNow | RtldGlobal);
        }
        Batteries_V2.Init();
    }

    /// <summary>Touching this forces the static constructor to have run.</summary>
    public static void EnsureInitialized() { }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int mode);
}
