using System.Text.Json;

namespace OnDeviceReco.Trainer.Tests;

/// <summary>The trainer's command line, run as a real process: exit codes, messages, report contract.</summary>
public sealed class TrainerCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-trainer-cli", Guid.NewGuid().ToString("N"));

    public TrainerCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => TrainerProcess.Run(TimeSpan.FromMinutes(5), args);

    private string WriteData(string ratings, string? movies = "movieId,title,genres\n1,A (1990),Action\n2,B (1991),Comedy|Drama\n3,C (1992),Action\n")
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "ratings.csv"), ratings);
        if (movies is not null)
        {
            File.WriteAllText(Path.Combine(data, "movies.csv"), movies);
        }
        return data;
    }

    [Fact]
    public void Missing_directory_is_a_clear_error()
    {
        var (exit, _, err) = Run("evaluate", "--data", Path.Combine(_dir, "nope"), "--report", Path.Combine(_dir, "r.json"));
        Assert.Equal(3, exit);
        Assert.Contains("does not exist", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_row_names_file_and_line()
    {
        string data = WriteData("userId,movieId,rating,timestamp\n1,1,4.0,100\n1,2,oops,101\n");
        var (exit, _, err) = Run("evaluate", "--data", data, "--report", Path.Combine(_dir, "r.json"));
        Assert.Equal(3, exit);
        Assert.Contains("ratings.csv:3", err, StringComparison.Ordinal);
        Assert.Contains("oops", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_data_is_a_clear_error()
    {
        string data = WriteData("userId,movieId,rating,timestamp\n");
        var (exit, _, err) = Run("evaluate", "--data", data, "--report", Path.Combine(_dir, "r.json"));
        Assert.Equal(3, exit);
        Assert.Contains("no ratings", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_model_and_unknown_option_are_usage_errors()
    {
        string data = WriteData("userId,movieId,rating,timestamp\n1,1,4.0,100\n");
        var (exit, _, err) = Run("evaluate", "--data", data, "--report", Path.Combine(_dir, "r.json"), "--models", "sasrec,transformer-xl");
        Assert.Equal(2, exit);
        Assert.Contains("Unknown model 'transformer-xl'", err, StringComparison.Ordinal);
        (exit, _, err) = Run("evaluate", "--data", data, "--colour", "blue");
        Assert.Equal(2, exit);
        Assert.Contains("Unknown option '--colour'", err, StringComparison.Ordinal);
        (exit, _, _) = Run("fly");
        Assert.Equal(2, exit);
    }

    /// <summary>30 users walking a cycle of 12 items: every model can learn something, quickly.</summary>
    private string WriteCycleData()
    {
        var rows = new System.Text.StringBuilder("userId,movieId,rating,timestamp\n");
        var movies = new System.Text.StringBuilder("movieId,title,genres\n");
        for (int m = 1; m <= 12; m++)
        {
            movies.Append(System.Globalization.CultureInfo.InvariantCulture, $"{m},Movie {m},G{m % 3}\n");
        }
        for (int u = 1; u <= 30; u++)
        {
            for (int t = 0; t < 8; t++)
            {
                rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"{u},{(u + t) % 12 + 1},4.0,{1000 + t}\n");
            }
        }
        return WriteData(rows.ToString(), movies.ToString());
    }

    [Fact]
    public void Time_split_evaluate_writes_segments_for_every_model()
    {
        string data = WriteCycleData();
        string report = Path.Combine(_dir, "out", "time-split.json");
        var (exit, stdout, err) = Run("evaluate", "--protocol", "time-split", "--data", data, "--report", report, "--models", "popularity,content,sasrec-text",
            "--max-epochs", "2", "--evaluate-every", "1", "--threads", "1", "--text-cache", Path.Combine(_dir, "text-cache.bin"));
        Assert.True(exit == 0, err + stdout);
        Assert.Contains("encoded", err, StringComparison.Ordinal); // the encoding line, with its rate
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.StartsWith("time split", root.GetProperty("protocol").GetString(), StringComparison.Ordinal);
        int targets = root.GetProperty("test_targets").GetInt32();
        Assert.Equal(30, targets); // every user's interaction in the last second of the log
        var models = root.GetProperty("models").EnumerateArray().ToList();
        // With the content baseline in the run, the text recipe is also measured blended with it.
        Assert.Equal(["popularity", "content", "sasrec-text", "sasrec-text+content"], models.Select(m => m.GetProperty("name").GetString()));
        foreach (var model in models)
        {
            var segments = model.GetProperty("segments");
            Assert.Equal(targets, new[] { "new", "tail", "head" }.Sum(s => segments.GetProperty(s).GetProperty("targets").GetInt32()));
            Assert.InRange(model.GetProperty("ndcg@10").GetDouble(), 0, 1);
            Assert.Equal(2, model.GetProperty("ndcg@10_ci95").GetArrayLength());
        }
        // By default the tested sequence model is the recipe refitted on everything before the cutoff.
        Assert.True(models[2].GetProperty("refit").GetProperty("epochs").GetInt32() >= 1);
        Assert.False(models[0].TryGetProperty("refit", out _));
        // The text recipe's newest-item boost and placement of items without an ID part, chosen on validation, with
        // the grids they chose from; the blend's weight likewise.
        string chosen = models[2].GetProperty("chosen").GetString()!;
        Assert.StartsWith("newest-item boost: ", chosen, StringComparison.Ordinal);
        Assert.Contains("; no-ID rows: scale ", chosen, StringComparison.Ordinal);
        Assert.StartsWith("content weight (newest ", models[3].GetProperty("chosen").GetString(), StringComparison.Ordinal);
        var versus = root.GetProperty("comparisons").EnumerateArray().Select(c => c.GetProperty("versus").GetString()).ToList();
        Assert.Equal(["popularity", "content", "sasrec-text+content", "popularity", "content", "sasrec-text"], versus);
        Assert.True(File.Exists(Path.ChangeExtension(report, ".md")));
    }

    [Fact]
    public void Time_split_options_are_checked()
    {
        string data = WriteCycleData();
        string report = Path.Combine(_dir, "r.json");
        void Refused(string expected, params string[] options)
        {
            var (exit, _, err) = Run(["evaluate", .. options, "--data", data, "--report", report]);
            Assert.Equal(2, exit);
            Assert.Contains(expected, err, StringComparison.Ordinal);
        }
        Refused("'leave-one-out' or 'time-split'", "--protocol", "by-magic");
        Refused("--cutoff-quantile", "--protocol", "time-split", "--cutoff-quantile", "1.5");
        Refused("time-split", "--cutoff-quantile", "0.8");
        Refused("'--refit' takes 'on' or 'off'", "--protocol", "time-split", "--refit", "maybe");
        Refused("'--refit' belongs to '--protocol time-split'", "--refit", "on");
        Refused("'--drop-newest' belongs to '--protocol leave-one-out'", "--protocol", "time-split", "--drop-newest", "1");
        Refused("'--drop-newest' must be an integer from 0", "--drop-newest", "-1");
    }

    [Fact]
    public void Evaluate_writes_the_report_contract()
    {
        string data = WriteCycleData();
        string report = Path.Combine(_dir, "out", "report.json");
        var (exit, stdout, err) = Run("evaluate", "--data", data, "--report", report, "--max-epochs", "2", "--evaluate-every", "1", "--threads", "1");
        Assert.True(exit == 0, err + stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal("data", json.RootElement.GetProperty("dataset").GetString());
        Assert.Contains("leave-one-out", json.RootElement.GetProperty("protocol").GetString(), StringComparison.Ordinal);
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["popularity", "sasrec", "sasrec-bce", "gru"], models.Select(m => m.GetProperty("name").GetString()));
        foreach (var model in models)
        {
            foreach (var key in new[] { "hr@10", "ndcg@10", "mrr", "recall@20", "sampled_hr@10", "sampled_ndcg@10", "coverage@10", "diversity@10", "novelty@10", "epochs", "train_seconds", "seconds_per_epoch" })
            {
                double value = model.GetProperty(key).GetDouble();
                Assert.True(value >= 0 && double.IsFinite(value), $"{key} = {value}");
            }
            Assert.InRange(model.GetProperty("hr@10").GetDouble(), 0, 1);
        }
        // Trained models say which recipe ran and why, and why training stopped; 12 items keep full softmax.
        Assert.All(models.Skip(1), m => Assert.Equal("epoch cap", m.GetProperty("stopped").GetString()));
        // Every user has 8 interactions: windows of 10 instead of 50, twice the batch (the most it grows).
        Assert.Equal("sasrec → full softmax: 12 items ≤ crossover 15,000; length 10 (of 50), batch 64 (of 32): 95 % of users have ≤ 8 interactions",
            models[1].GetProperty("recipe").GetString());
        Assert.False(models[0].TryGetProperty("recipe", out _));
        Assert.Contains("- recipe sasrec → full softmax", File.ReadAllText(Path.ChangeExtension(report, ".md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(report, ".md")));
        Assert.True(new FileInfo(Path.ChangeExtension(report, ".png")).Length > 1000);
        // One seed keeps the single-run shape: no seed list, no summary objects.
        Assert.Equal(42, json.RootElement.GetProperty("seed").GetInt32());
        Assert.False(json.RootElement.TryGetProperty("seeds", out _));
        Assert.All(models, m => Assert.False(m.TryGetProperty("sd", out _) || m.TryGetProperty("runs", out _)));
    }

    [Fact]
    public void Evaluate_with_two_seeds_reports_each_run_and_their_mean_and_spread()
    {
        string data = WriteCycleData();
        string report = Path.Combine(_dir, "seeds", "report.json");
        var (exit, stdout, err) = Run("evaluate", "--data", data, "--report", report, "--models", "popularity,sasrec", "--seeds", "5,9",
            "--max-epochs", "2", "--evaluate-every", "1", "--threads", "1");
        Assert.True(exit == 0, err + stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal([5, 9], json.RootElement.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt32()));
        foreach (var model in json.RootElement.GetProperty("models").EnumerateArray())
        {
            var runs = model.GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal([5, 9], runs.Select(r => r.GetProperty("seed").GetInt32()));
            foreach (var key in new[] { "ndcg@10", "hr@10", "mrr", "epochs" })
            {
                double a = runs[0].GetProperty(key).GetDouble(), b = runs[1].GetProperty(key).GetDouble();
                double mean = (a + b) / 2;
                // Sample sd of two values is |a − b| / √2 (n − 1 = 1 in the denominator).
                Assert.Equal(mean, model.GetProperty("mean").GetProperty(key).GetDouble(), 4);
                Assert.Equal(mean, model.GetProperty(key).GetDouble(), 4);
                Assert.Equal(Math.Abs(a - b) / Math.Sqrt(2), model.GetProperty("sd").GetProperty(key).GetDouble(), 4);
            }
        }
        // Two different seeds train two different SASRec models: the spread is real, not a copied run.
        var sasrec = json.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "sasrec");
        var fingerprints = sasrec.GetProperty("runs").EnumerateArray()
            .Select(r => (r.GetProperty("validation_ndcg@10").GetDouble(), r.GetProperty("mrr").GetDouble(), r.GetProperty("ndcg@10").GetDouble())).ToList();
        Assert.NotEqual(fingerprints[0], fingerprints[1]);
        Assert.Contains("±", File.ReadAllText(Path.ChangeExtension(report, ".md")), StringComparison.Ordinal);
        Assert.Contains("seeds 5, 9", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_with_popularity_alone_trains_nothing_and_reports_it()
    {
        string data = WriteCycleData();
        string report = Path.Combine(_dir, "popularity", "report.json");
        var (exit, stdout, err) = Run("evaluate", "--data", data, "--report", report, "--models", "popularity");
        Assert.True(exit == 0, err + stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var model = Assert.Single(json.RootElement.GetProperty("models").EnumerateArray());
        Assert.Equal("popularity", model.GetProperty("name").GetString());
        Assert.InRange(model.GetProperty("ndcg@10").GetDouble(), 0, 1);
    }

    [Fact]
    public void Evaluate_on_an_earlier_cutoff_tests_each_users_interaction_before_the_newest_removed()
    {
        string data = WriteCycleData(); // 30 users × 8 interactions
        string report = Path.Combine(_dir, "earlier", "report.json");
        var (exit, stdout, err) = Run("evaluate", "--data", data, "--report", report, "--models", "popularity", "--drop-newest", "2");
        Assert.True(exit == 0, err + stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal(30 * 6, root.GetProperty("interactions").GetInt32());
        Assert.Contains("newest 2 removed", root.GetProperty("dataset").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_count_and_sample_spread()
    {
        Assert.Equal([42, 43, 44], Cli.SeedList.Parse("3", 42));
        Assert.Equal([1, 7], Cli.SeedList.Parse("1, 7", 42));
        Assert.Equal([42], Cli.SeedList.Parse(null, 42));
        Assert.Throws<Cli.UsageException>(() => Cli.SeedList.Parse("0", 42));
        Assert.Throws<Cli.UsageException>(() => Cli.SeedList.Parse("1,x", 42));
        Assert.Throws<Cli.UsageException>(() => Cli.SeedList.Parse("3,3", 42));
        Assert.Equal(Math.Sqrt(5.0 / 3), Evaluation.ReportMetrics.SampleSd([1, 2, 3, 4]), 12);
        Assert.Equal(0, Evaluation.ReportMetrics.SampleSd([0.3]));
    }

    [Fact]
    public void An_asked_length_or_batch_is_kept()
    {
        string data = WriteCycleData();
        string report = Path.Combine(_dir, "asked", "report.json");
        var (exit, stdout, err) = Run("evaluate", "--data", data, "--report", report, "--models", "sasrec", "--max-epochs", "1", "--threads", "1", "--max-length", "30");
        Assert.True(exit == 0, err + stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.EndsWith("; length 30, batch 32: asked for", json.RootElement.GetProperty("models")[0].GetProperty("recipe").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_writes_a_signed_bundle_that_verifies_and_runs()
    {
        string data = WriteCycleData();
        string bundle = Path.Combine(_dir, "bundle-v7");
        string key = Path.Combine(_dir, "keys", "signing.pem");
        var (exit, stdout, err) = Run("train", "--data", data, "--out", bundle, "--key", key, "--model-version", "7", "--max-epochs", "2", "--evaluate-every", "1", "--threads", "1");
        Assert.True(exit == 0, err + stdout);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        var verifier = new OnDeviceReco.Protocol.BundleVerifier([File.ReadAllText(key + ".pub")]);
        var verified = verifier.Verify(bundle);
        var manifest = verified.Manifest;
        Assert.Equal(7, manifest.ModelVersion);
        Assert.Equal(10, manifest.MaxSequenceLength); // fitted to 8 interactions per user
        Assert.Equal("sasrec", manifest.Architecture);
        Assert.Equal(12, manifest.Items.Count);
        Assert.Equal("Movie 1", manifest.Items.Single(i => i.Id == "1").Title);
        Assert.Equal(["G1"], manifest.Items.Single(i => i.Id == "1").Categories);
        Assert.NotEmpty(manifest.Popularity);
        // Scored on the split that chose the stopping epoch, so named as validation, never as a hold-out.
        Assert.Equal(["epochs", "validation_hr@10", "validation_ndcg@10"], manifest.Metrics!.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(manifest.Metrics["validation_ndcg@10"], 0, 1);
        Assert.Matches(@"validation\s+NDCG@10", stdout); // the console may wrap the line at any space
        Assert.DoesNotContain("hold-out", stdout, StringComparison.Ordinal);

        // Bundles carry the compact table by default: a user-vector graph plus int8 rows, no float32 table.
        Assert.True(verified.Files.ContainsKey(OnDeviceReco.Protocol.BundleFileNames.CompactItemTable));
        Assert.False(verified.Files.ContainsKey(OnDeviceReco.Protocol.BundleFileNames.ItemEmbeddings));
        var table = OnDeviceReco.Protocol.CompactItemTable.Wrap(verified.Files[OnDeviceReco.Protocol.BundleFileNames.CompactItemTable], 13, manifest.EmbeddingDimension);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(verified.ModelBytes);
        int length = manifest.MaxSequenceLength, d = manifest.EmbeddingDimension;
        var ids = new long[length];
        ids[^1] = 1;
        var vectors = new float[length * d];
        table.Dequantize(1, vectors.AsSpan((length - 1) * d, d));
        using var results = session.Run([
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("item_ids", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(ids, [1, length])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("item_vectors", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(vectors, [1, length, d])),
        ]);
        var user = results.Single(r => r.Name == "user_vector").AsEnumerable<float>().ToArray();
        Assert.Equal(d, user.Length);
        Assert.All(user, v => Assert.True(float.IsFinite(v)));

        // A second train into the same, now non-empty, directory is refused: bundles are never overwritten.
        (exit, _, err) = Run("train", "--data", data, "--out", bundle, "--key", key, "--max-epochs", "1");
        Assert.Equal(2, exit);
        Assert.Contains("not empty", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_reads_a_plain_interactions_file_and_names_a_bad_row()
    {
        var rows = new System.Text.StringBuilder();
        for (int u = 1; u <= 20; u++)
        {
            for (int t = 0; t < 6; t++)
            {
                rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"user {u}\titem {(u + t) % 9}\t{1000 + t}\tplay\n");
            }
        }
        string file = Path.Combine(_dir, "studio-log.tsv");
        File.WriteAllText(file, rows.ToString());
        string report = Path.Combine(_dir, "own", "report.json");
        var (exit, stdout, err) = Run("evaluate", "--data", file, "--report", report, "--models", "popularity,sasrec", "--max-epochs", "1", "--threads", "1");
        Assert.True(exit == 0, err + stdout);
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.Equal("studio-log", json.RootElement.GetProperty("dataset").GetString());
            Assert.Equal(20, json.RootElement.GetProperty("users").GetInt32());
        }

        File.AppendAllText(file, "user 3\titem 1\tlater\tplay\n");
        (exit, _, err) = Run("evaluate", "--data", file, "--report", report, "--models", "popularity");
        Assert.Equal(3, exit);
        Assert.Contains($"studio-log.tsv:{20 * 6 + 1}: 'later' is not a timestamp", err, StringComparison.Ordinal);
    }
}
