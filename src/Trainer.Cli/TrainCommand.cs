using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Spectre.Console;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// train --data DIR --out BUNDLE_DIR --key KEY.pem [--model sasrec|gru] [--model-version N] [--max-epochs N] …
/// Trains on every interaction but each user's newest one, which decides when to stop (the same early
/// stopping as evaluate, so no epoch count has to be guessed for new data), then exports and signs. The softmax
/// follows the catalogue's size and training stops at the wall-clock budget, as in evaluate (<see cref="CatalogueRecipe"/>).
/// </summary>
public static class TrainCommand
{
    private static readonly HashSet<string> Options = ["--data", "--out", "--key", "--model", "--model-version", "--seed", "--threads", "--max-epochs", .. ConfigOverrides.Names, .. RecipeOptions.Names, .. TextVectorsOption.Names];

    public static int Run(string[] args)
    {
        var line = new CommandLine(args, Options);
        string dataDir = line.Required("--data");
        string outDir = line.Required("--out");
        string keyPath = line.Required("--key");
        int seed = line.Int("--seed", 42, 0, int.MaxValue);
        int threads = line.Int("--threads", Environment.ProcessorCount, 1, 256);
        long version = line.Int("--model-version", 1, 1, int.MaxValue);
        var config = ConfigOverrides.Apply(ModelCatalogue.Find(line.Optional("--model") ?? "sasrec"), line);
        config = config with { MaxEpochs = line.Int("--max-epochs", config.MaxEpochs, 1, 10_000) };
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            throw new UsageException($"'{outDir}' is not empty; a bundle goes into a fresh directory.");
        }

        var budget = RecipeOptions.Budget(line, CatalogueRecipe.DefaultTimeBudget);
        TorchRuntime.Configure(threads, seed);
        var data = DataSources.Open(dataDir).Load();
        if (config.UseText)
        {
            TextVectorsOption.Attach(line, data.Items, threads);
        }
        var decision = RecipeOptions.Decide(line, [config], data)[0];
        config = decision.Config;
        AnsiConsole.MarkupLineInterpolated($"recipe: {decision.Reason}");
        var stopping = data.Sequences.Where(s => s.Length >= 2).Select(s => (s[..^1], s[^1])).ToList();
        if (stopping.Count == 0)
        {
            throw new DataFormatException($"'{dataDir}' has no user with two or more interactions to train on.");
        }
        var train = data.Sequences.Select(s => s.Length >= 2 ? s[..^1] : s).ToList();
        var evaluator = new RankingEvaluator(data.Items, train);
        using var model = ModelFactory.Create(config, data.Items);
        var scorer = new ModelScorer(model);
        TrainingResult result = null!;
        AnsiConsole.Progress().Start(context =>
        {
            var task = context.AddTask(config.Name, maxValue: config.MaxEpochs);
            result = new SequenceTrainer(model, seed).Train(train,
                () => evaluator.Evaluate(scorer, stopping, seed, beyondAccuracy: false).Ndcg10,
                config.MaxEpochs,
                epoch => task.Value = epoch.Epoch,
                sameTime: data.SameTime?.Select(s => s.Length >= 2 ? s[..^1] : s).ToList(), budget: budget,
                times: data.Times?.Select(s => s.Length >= 2 ? s[..^1] : s).ToList());
            task.Value = task.MaxValue;
        });
        // The split that chose the stopping epoch: a validation score, not an independent hold-out.
        var validation = evaluator.Evaluate(scorer, stopping, seed, beyondAccuracy: false);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["validation_ndcg@10"] = validation.Ndcg10,
            ["validation_hr@10"] = validation.HitRate10,
            ["epochs"] = result.BestEpoch,
        };
        foreach (var (name, value) in result.Privacy?.Metrics() ?? new Dictionary<string, double>())
        {
            metrics[name] = value; // signed with the manifest: the bundle says what it promises
        }
        using var key = ModelBundleWriter.LoadOrCreateKey(keyPath, out bool created);
        if (created)
        {
            AnsiConsole.MarkupLineInterpolated($"Created signing key [bold]{keyPath}[/] (public key: {keyPath}.pub)");
        }
        var manifest = ModelBundleWriter.Write(outDir, model, data, version, metrics, key, DateTimeOffset.UtcNow);
        AnsiConsole.MarkupLineInterpolated(
            $"Bundle [bold]{outDir}[/]: {manifest.Architecture} v{manifest.ModelVersion}, {manifest.Items.Count} items, best epoch {result.BestEpoch} (stopped: {result.StoppedText}{(result.StopDetail.Length > 0 ? $", {result.StopDetail}" : "")}), validation NDCG@10 {validation.Ndcg10:0.0000}, key {manifest.KeyId}");
        return 0;
    }
}
