using System.Diagnostics;
using System.Globalization;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet class: a one-shot harness, run in its own process per measurement
/// (<c>-- catalogue-memory ITEMS compact|exact</c>), that opens a store, loads a catalogue bundle through the
/// managed SDK and serves the first recommendation, printing the time to each step and the process's resident
/// memory (VmRSS from /proc/self/status) before and after the model is loaded. The C host would add the same
/// model cost on top of its own; this measures that cost without the NativeAOT build. A 10k-item compact bundle
/// is opened and served first and closed again, so JIT compilation and loading ONNX Runtime's native library
/// (costs a NativeAOT host pays differently, once per process) are neither in the timings nor in the RSS growth;
/// that cold first open is printed too.
/// </summary>
internal static class CatalogueMemory
{
    public static int Run(string[] args)
    {
        int items = int.Parse(args[1], CultureInfo.InvariantCulture);
        bool compact = args[2] == "compact";
        var bundles = CatalogueBundles.Get(items); // written by an earlier run, or now (then run again for a clean RSS)
        var warmUp = CatalogueBundles.Get(10_000);
        string root = Path.Combine(Path.GetTempPath(), "odr-catalogue-memory", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var cold = Stopwatch.StartNew();
        using (var warm = Open(Path.Combine(root, "warm-up.db"), warmUp.PublicKeyPem))
        {
            warm.LoadModel(warmUp.Compact);
            warm.Recommend("u", 10);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold process, first open-to-first with a 10k compact bundle: {cold.Elapsed.TotalMilliseconds:0.0} ms"));
        string key = bundles.PublicKeyPem;
        Settle();
        long before = ResidentBytes();
        var clock = Stopwatch.StartNew();
        using var client = Open(Path.Combine(root, "store.db"), key);
        double opened = clock.Elapsed.TotalMilliseconds;
        client.LoadModel(compact ? bundles.Compact : bundles.Exact);
        double loaded = clock.Elapsed.TotalMilliseconds;
        int count = client.Recommend("u", 10).Count;
        double first = clock.Elapsed.TotalMilliseconds;
        Settle();
        long after = ResidentBytes();
        long table = compact
            ? new FileInfo(Path.Combine(bundles.Compact, Protocol.BundleFileNames.CompactItemTable)).Length
                + new FileInfo(Path.Combine(bundles.Compact, Protocol.BundleFileNames.CompactItemResiduals)).Length
            : (long)(items + 1) * CatalogueBundles.Dimension * sizeof(float);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{items} items, {(compact ? "compact" : "exact")} bundle: {CatalogueBundles.SizeOnDisk(compact ? bundles.Compact : bundles.Exact) / 1048576.0:0.0} MiB on disk; " +
            $"open store {opened:0.0} ms, verify+load {loaded - opened:0.0} ms, first Recommend {first - loaded:0.0} ms, open-to-first {first:0.0} ms ({count} results); " +
            $"RSS {before / 1048576.0:0.0} → {after / 1048576.0:0.0} MiB (model +{(after - before) / 1048576.0:0.0} MiB); item table {table / 1048576.0:0.0} MiB"));
        client.Dispose();
        Directory.Delete(root, recursive: true);
        return 0;
    }

    private static RecoClient Open(string database, string key)
    {
        var client = new RecoClient(new RecoClientOptions { Store = new StoreOptions { DatabasePath = database }, TrustedModelKeys = [key] });
        client.Track("u", CatalogueBundles.ItemId(1), EventType.Play);
        return client;
    }

    /// <summary>Collects twice so the verifier's dropped arrays (model bytes, manifest) are gone before measuring.</summary>
    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }
        return -1;
    }
}
