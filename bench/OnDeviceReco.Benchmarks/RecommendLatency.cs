using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Recommend end to end (SQLite read of the history and seen items, model run, filtering, explanations)
/// beside the raw ONNX Runtime run of the same model on the same input (k = the candidate pool the SDK
/// re-ranks), and the physical floor: a dot-product scan of the item table with TensorPrimitives.
/// The models are SASRec (d=64, L=50, 2 blocks) with generated weights over 10,000 and 100,000 items.
/// </summary>
[MemoryDiagnoser]
[TailLatencyColumns]
public class RecommendLatency
{
    private const string User = "player-1";
    private const string Explorer = "player-2"; // same history, and five lists already shown: exploration has impressions to count
    private static readonly RecommendOptions Exploring = new() { Exploration = 0.2 };
    // More users than exploration keeps draws for, taken in turn: every call hashes its candidates' draws again.
    private static readonly string[] Visitors = Enumerable.Range(0, 8).Select(v => $"visitor-{v}").ToArray();
    private int _visitor;
    private string _root = "";
    private RecoClient? _client;
    private RawModelRun? _raw;
    private float[] _table = [];
    private float[] _user = [];
    private float[] _scores = [];
    private int _dimension;

    [Params(10_000, 100_000)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.Configure(1, 3);
        _root = Path.Combine(Path.GetTempPath(), "odr-bench-recommend", Guid.NewGuid().ToString("N"));
        var items = new ItemVocabulary();
        for (int i = 0; i < Items; i++)
        {
            items.Add($"sku-{i}", null, [$"genre-{i % 20}"]);
        }
        var config = ModelConfig.Catalogue.First(c => c.Name == "sasrec");
        _dimension = config.Dimension;
        using var model = ModelFactory.Create(config, items);
        var data = new InteractionData("generated", ["u"], [Enumerable.Range(1, 60).ToArray()], items);
        using var key = BundleSigner.CreateKey();
        string bundle = Path.Combine(_root, "bundle");
        // The exact format: the baseline below runs the same graph (item_ids, exclude_seen, k) on the float32 table.
        ModelBundleWriter.Write(bundle, model, data, 1, new Dictionary<string, double>(), key, DateTimeOffset.UtcNow, compactItemTable: false);

        _client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = Path.Combine(_root, "store.db") },
            TrustedModelKeys = [BundleSigner.ExportPublicKeyPem(key)],
        });
        _client.LoadModel(bundle);
        var random = new Random(3);
        var history = Enumerable.Range(0, config.MaxLength).Select(_ => random.Next(1, Items + 1)).ToArray();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (int i = 0; i < history.Length; i++)
        {
            _client.Track(User, items.IdOf(history[i]), EventType.Play, timestamp: start.AddSeconds(i));
            _client.Track(Explorer, items.IdOf(history[i]), EventType.Play, timestamp: start.AddSeconds(i));
            foreach (var visitor in Visitors)
            {
                _client.Track(visitor, items.IdOf(history[i]), EventType.Play, timestamp: start.AddSeconds(i));
            }
        }
        foreach (var user in Visitors.Prepend(Explorer))
        {
            for (int visit = 0; visit < 5; visit++)
            {
                _client.RecordImpressions(user, _client.Recommend(user, 10, Exploring));
            }
        }
        _client.Flush();

        var verified = new BundleVerifier([BundleSigner.ExportPublicKeyPem(key)]).Verify(bundle);
        _raw = new RawModelRun(verified.ModelBytes, history, _dimension);

        var bytes = verified.Files[BundleFileNames.ItemEmbeddings];
        _table = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, _table, 0, bytes.Length);
        _user = _table.AsSpan(_dimension, _dimension).ToArray();
        _scores = new float[Items + 1];
        RawOrtRun();
        Recommend();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _client?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw InferenceSession.Run (same model, same input)")]
    public void RawOrtRun() =>
        _raw!.Run();

    [Benchmark(Description = "Recommend(user, 10) end to end")]
    public int Recommend() => _client!.Recommend(User, 10).Count;

    [Benchmark(Description = "Recommend(user, 10) with 20 % exploration (upper confidence) end to end")]
    public int RecommendExploring() => _client!.Recommend(Explorer, 10, Exploring).Count;

    [Benchmark(Description = "Recommend(user, 10) with 20 % exploration, another user each call (draws not cached) end to end")]
    public int RecommendExploringUserByUser() => _client!.Recommend(Visitors[_visitor++ % Visitors.Length], 10, Exploring).Count;

    [Benchmark(Description = "floor: dot-product scan of the item table")]
    public float DotProductScan()
    {
        var table = _table.AsSpan();
        for (int i = 0; i < _scores.Length; i++)
        {
            _scores[i] = TensorPrimitives.Dot(table.Slice(i * _dimension, _dimension), _user);
        }
        return TensorPrimitives.Max(_scores);
    }
}
