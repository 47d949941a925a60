using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Inference;
using OnDeviceReco.Protocol;
using OnDeviceReco.Search;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Recall@10 of the compact path against the exact float32 top 10, two ways: (1) the model end to end — the
/// compact bundle's user-vector graph fed int8 rows, then the two-stage search — against the exact bundle's graph
/// (float32 Gemm + TopK) on the same 100 random histories, seen items excluded; (2) the search alone on 100 users
/// drawn from the generator (mixes of cluster centroids) against an exact float32 scan of the unquantised table.
/// Computed once per size and kept beside the bundles.
/// </summary>
internal static class CatalogueRecall
{
    public const int Queries = 100;

    public static string Get(CatalogueBundles bundles)
    {
        string path = Path.Combine(bundles.Root, "recall.txt");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Measure(bundles));
        }
        return File.ReadAllText(path);
    }

    private static string Measure(CatalogueBundles bundles)
    {
        var verifier = new BundleVerifier([bundles.PublicKeyPem]);
        using var compact = LoadedModel.Load(verifier.Verify(bundles.Compact), new InferenceOptions { Provider = ExecutionProviderPreference.Cpu });
        using var session = new InferenceSession(verifier.Verify(bundles.Exact).ModelBytes);
        var random = new Random(21);
        int modelHits = 0;
        for (int q = 0; q < Queries; q++)
        {
            var history = Enumerable.Range(0, compact.SequenceLength).Select(_ => random.Next(1, bundles.Items + 1)).ToArray();
            var approximate = compact.Run(history, excludeSeen: true, out _).Take(10).Select(c => (long)c.Index);
            using var ids = OrtValue.CreateTensorValueFromMemory(history.Select(h => (long)h).ToArray(), [1, history.Length]);
            using var exclude = OrtValue.CreateTensorValueFromMemory(new[] { true }, [1]);
            using var k = OrtValue.CreateTensorValueFromMemory(new long[] { 10 }, [1]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["item_ids", "exclude_seen", "k"], [ids, exclude, k], ["top_ids"]);
            modelHits += outputs[0].GetTensorDataAsSpan<long>().ToArray().Intersect(approximate).Count();
        }
        var generator = bundles.Generator();
        int searchHits = 0;
        for (int q = 0; q < Queries; q++)
        {
            var user = generator.User(random);
            var exact = generator.ExactTop(user, 10);
            var approximate = CompactSearch.TopK(compact.CompactTable!, user, compact.Candidates, compact.Shortlist, []).Take(10).Select(c => c.Index);
            searchHits += exact.Intersect(approximate).Count();
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"recall@10 at {bundles.Items:N0} items: model end to end {modelHits / (10.0 * Queries):0.0000}, search alone {searchHits / (10.0 * Queries):0.0000} ({Queries} queries each, {Int8BlockScan.Path})");
    }
}
