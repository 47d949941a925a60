using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Inference;
using OnDeviceReco.Protocol;
using OnDeviceReco.Search;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// One-shot harness (<c>-- movielens-recall DATA_DIR EPOCHS</c>): trains the default SASRec on MovieLens, writes
/// it as a compact and as an exact bundle, and reports recall@10 of the compact path (int8 rows into the
/// user-vector graph, two-stage search) against the exact graph's float32 top 10 for every user's real history,
/// seen items excluded.
/// </summary>
internal static class MovieLensRecall
{
    public static int Run(string[] args)
    {
        int epochs = int.Parse(args[2], CultureInfo.InvariantCulture);
        TorchRuntime.Configure(2, 42);
        var data = new MovieLensSource(args[1]).Load();
        var config = ModelConfig.Catalogue.First(c => c.Name == "sasrec");
        using var model = ModelFactory.Create(config, data.Items);
        new SequenceTrainer(model, 42).Train(data.Sequences, validate: null, epochs: epochs);
        string root = Path.Combine(Path.GetTempPath(), "odr-movielens-recall", Guid.NewGuid().ToString("N"));
        using var key = BundleSigner.CreateKey();
        var metrics = new Dictionary<string, double>();
        ModelBundleWriter.Write(Path.Combine(root, "compact"), model, data, 1, metrics, key, DateTimeOffset.UtcNow);
        ModelBundleWriter.Write(Path.Combine(root, "exact"), model, data, 1, metrics, key, DateTimeOffset.UtcNow, compactItemTable: false);
        var verifier = new BundleVerifier([BundleSigner.ExportPublicKeyPem(key)]);
        using var compact = LoadedModel.Load(verifier.Verify(Path.Combine(root, "compact")), new InferenceOptions { Provider = ExecutionProviderPreference.Cpu });
        using var session = new InferenceSession(verifier.Verify(Path.Combine(root, "exact")).ModelBytes);
        using var runOptions = new RunOptions();
        int hits = 0, users = 0, exactUserHits = 0, wholeTableHits = 0;
        var table = compact.CompactTable!;
        foreach (var sequence in data.Sequences)
        {
            var history = sequence.TakeLast(compact.SequenceLength).ToArray();
            var padded = new long[compact.SequenceLength];
            for (int i = 0; i < history.Length; i++)
            {
                padded[padded.Length - history.Length + i] = history[i];
            }
            using var ids = OrtValue.CreateTensorValueFromMemory(padded, [1, padded.Length]);
            using var exclude = OrtValue.CreateTensorValueFromMemory(new[] { true }, [1]);
            using var k = OrtValue.CreateTensorValueFromMemory(new long[] { 10 }, [1]);
            using var outputs = session.Run(runOptions, ["item_ids", "exclude_seen", "k"], [ids, exclude, k], ["top_ids", "user_vector"]);
            var exact = outputs[0].GetTensorDataAsSpan<long>().ToArray();
            var approximate = compact.Run(history, excludeSeen: true, out _).Take(10).Select(c => (long)c.Index);
            hits += exact.Intersect(approximate).Count();
            // Where the misses come from: the same search fed the exact graph's float32 user vector (so only the
            // int8 table and the shortlist differ), and that with every row rescored (only the int8 table differs).
            var exactUser = outputs[1].GetTensorDataAsSpan<float>().ToArray();
            exactUserHits += exact.Intersect(CompactSearch.TopK(table, exactUser, 10, compact.Shortlist, history).Take(10).Select(c => (long)c.Index)).Count();
            wholeTableHits += exact.Intersect(CompactSearch.TopK(table, exactUser, 10, table.Layout.Rows, history).Take(10).Select(c => (long)c.Index)).Count();
            users++;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MovieLens SASRec ({epochs} epochs, {data.Items.Count} items): recall@10 of the compact path vs exact float32 = {hits / (10.0 * users):0.0000} over {users} users; " +
            $"with the exact user vector {exactUserHits / (10.0 * users):0.0000}, and every row rescored {wholeTableHits / (10.0 * users):0.0000} (shortlist {compact.Shortlist})"));
        Directory.Delete(root, recursive: true);
        return 0;
    }
}
