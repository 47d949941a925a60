using SQLitePCL;

namespace OnDeviceReco.Storage;

/// <summary>Initialises the bundled SQLite exactly once per process.</summary>
internal static class SqliteRuntime
{
    // A static constructor is the only initialisation the runtime guarantees to run once and to finish
    // before any other thread sees the type; an interlocked flag let a second thread in too early.
    static SqliteRuntime() => Batteries_V2.Init();

    /// <summary>Touching this forces the static constructor to have run.</summary>
    public static void EnsureInitialized() { }
}
