using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// What the C ABI adds to a call: odr_track through the published NativeAOT library (UTF-8 arguments, as a
/// C host passes them) against the managed RecoClient.Track it wraps. Needs dist/ from build/native.sh.
/// </summary>
[MemoryDiagnoser]
[TailLatencyColumns]
[InvocationCount(65_536)]
public unsafe class CAbiOverhead
{
    private nint _library;
    private delegate* unmanaged<nint*, nint*, int> _open; // typed loosely: the config is built by hand below
    private delegate* unmanaged<nint, byte*, byte*, int, double, long, int> _track;
    private delegate* unmanaged<nint, int> _flush;
    private delegate* unmanaged<nint, int> _close;
    private nint _native;
    private RecoClient? _managed;
    private string _root = "";
    private byte* _user;
    private byte* _item;

    [GlobalSetup]
    public void Setup()
    {
        string library = FindLibrary();
        _library = NativeLibrary.Load(library);
        _open = (delegate* unmanaged<nint*, nint*, int>)NativeLibrary.GetExport(_library, "odr_open");
        _track = (delegate* unmanaged<nint, byte*, byte*, int, double, long, int>)NativeLibrary.GetExport(_library, "odr_track");
        _flush = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(_library, "odr_flush");
        _close = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(_library, "odr_close");
        _root = Path.Combine(Path.GetTempPath(), "odr-bench-cabi", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);

        // odr_config (64 bytes, see tests/native/abi_layout.c): uint32 struct_size at 0, char* database_path at 8, the rest zero.
        var config = (byte*)NativeMemory.AllocZeroed(64);
        *(uint*)config = 64;
        *(byte**)(config + 8) = Utf8(Path.Combine(_root, "native.db"));
        nint handle = 0;
        if (_open((nint*)config, &handle) != 0)
        {
            throw new InvalidOperationException("odr_open failed");
        }
        _native = handle;
        _managed = new RecoClient(new RecoClientOptions { Store = new StoreOptions { DatabasePath = Path.Combine(_root, "managed.db") } });
        _user = Utf8("player-000001");
        _item = Utf8("sku-004242");
    }

    private static byte* Utf8(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text + "\0");
        var buffer = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(buffer, bytes.Length));
        return buffer;
    }

    private static string FindLibrary()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "dist", "lib", "libondevicereco.so");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("dist/lib/libondevicereco.so not found: run build/native.sh first.");
    }

    [IterationCleanup]
    public void Drain()
    {
        _managed!.Flush();
        _flush(_native);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _close(_native);
        _managed?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "managed RecoClient.Track")]
    public TrackOutcome Managed() => _managed!.Track("player-000001", "sku-004242", EventType.View);

    [Benchmark(Description = "odr_track through the C ABI")]
    public int Native() => _track(_native, _user, _item, (int)EventType.View, 0, 0);
}
