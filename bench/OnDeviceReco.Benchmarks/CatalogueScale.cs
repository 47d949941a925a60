using BenchmarkDotNet.Attributes;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Issue 14: recommendations at catalogue scale. Baseline: the raw float32 ONNX Runtime <c>Run</c> of the same
/// model in its exact form (Gemm over the whole table + TopK, k = the candidate pool). Beside it: <c>Recommend</c>
/// end to end on the compact bundle (int8 table, two-stage search), the compact model call alone (user vector +
/// search, no store), and <c>Recommend</c> on the exact bundle (what devices did before). Recall@10 of the compact
/// path is printed in the setup output (<see cref="CatalogueRecall"/>). Sizes: <c>ODR_CATALOGUE_ITEMS</c>
/// (comma-separated) or 10k, 100k and 1M.
/// </summary>
[MemoryDiagnoser]
[TailLatencyColumns]
public class CatalogueScale
{
    private const string User = "player-1";
    private string _root = "";
    private RecoClient? _compact;
    private RecoClient? _exact;
    private Inference.LoadedModel? _compactModel;
    private RawModelRun? _raw;
    private int[] _history = [];

    public static IEnumerable<int> Sizes() =>
        Environment.GetEnvironmentVariable("ODR_CATALOGUE_ITEMS") is { Length: > 0 } sizes
            ? sizes.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            : [10_000, 100_000, 1_000_000];

    [ParamsSource(nameof(Sizes))]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bundles = CatalogueBundles.Get(Items);
        Console.WriteLine($"// {CatalogueRecall.Get(bundles)}");
        Console.WriteLine($"// bundle size: compact {CatalogueBundles.SizeOnDisk(bundles.Compact):N0} B, exact {CatalogueBundles.SizeOnDisk(bundles.Exact):N0} B");
        _root = Path.Combine(Path.GetTempPath(), "odr-bench-catalogue-run", Guid.NewGuid().ToString("N"));
        _compact = Client(bundles, bundles.Compact, "compact");
        _exact = Client(bundles, bundles.Exact, "exact");
        var verifier = new BundleVerifier([bundles.PublicKeyPem]);
        _compactModel = Inference.LoadedModel.Load(verifier.Verify(bundles.Compact), new InferenceOptions());

        var random = new Random(3);
        _history = Enumerable.Range(0, 50).Select(_ => random.Next(1, Items + 1)).ToArray();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        foreach (var client in new[] { _compact, _exact })
        {
            for (int i = 0; i < _history.Length; i++)
            {
                client.Track(User, CatalogueBundles.ItemId(_history[i]), EventType.Play, timestamp: start.AddSeconds(i));
            }
            client.Flush();
        }

        _raw = new RawModelRun(verifier.Verify(bundles.Exact).ModelBytes, _history, CatalogueBundles.Dimension);
        RawOrtRun();
        Recommend();
        ExactRecommend();
    }

    private RecoClient Client(CatalogueBundles bundles, string bundle, string name)
    {
        Directory.CreateDirectory(Path.Combine(_root, name));
        var client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = Path.Combine(_root, name, "store.db") },
            TrustedModelKeys = [bundles.PublicKeyPem],
        });
        client.LoadModel(bundle);
        return client;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _compactModel?.Dispose();
        _compact?.Dispose();
        _exact?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw fp32 InferenceSession.Run (Gemm + TopK over the table)")]
    public void RawOrtRun() =>
        _raw!.Run();

    [Benchmark(Description = "compact Recommend(user, 10) end to end")]
    public int Recommend() => _compact!.Recommend(User, 10).Count;

    [Benchmark(Description = "compact model call: user vector + int8 scan + rescoring")]
    public int CompactModelRun() => _compactModel!.Run(_history, excludeSeen: true, out _).Length;

    [Benchmark(Description = "exact-bundle Recommend(user, 10) (before)")]
    public int ExactRecommend() => _exact!.Recommend(User, 10).Count;
}
