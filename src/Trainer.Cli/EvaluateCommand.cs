using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Spectre.Console;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// evaluate --data DIR --report FILE.json [--models a,b] [--seed N | --seeds N | --seeds a,b,c] [--threads N] [--max-epochs N]
/// [--ties listed|random] [--drop-newest N] [--softmax auto|full|sampled] [--time-budget MINUTES|off]
/// Trains every model on the leave-one-out split, selects epochs on validation, reports test metrics once per seed
/// (with several seeds: mean and sample standard deviation of every number, so a difference can be told from noise).
/// With <c>--ties random</c> same-time interactions are first listed in one fixed random order, so which of them is
/// the validation and the test item no longer follows the source's listing (MovieLens: by movie id).
/// With <c>--drop-newest N</c> each user's N newest interactions are removed first: the split as it stood N
/// interactions earlier, to check that a gain is not one split's (<see cref="EarlierCutoff"/>).
/// Full-softmax recipes switch to sampled softmax on large catalogues (<see cref="CatalogueRecipe"/>), and the trained
/// models of each seed share one wall-clock budget (default 15 minutes; the first model may use all but a reserve
/// kept for each later one, <see cref="SharedBudget"/>); the report says which recipe ran, why, and why it stopped.
/// </summary>
public static class EvaluateCommand
{
    public const string Protocol =
        "leave-one-out per user (last = test, second-to-last = validation, rest = train); early stopping and model selection on validation only; " +
        "full ranking over all items excluding the user's history, ties counted half; sampled metrics against 100 random unseen negatives";

    private static readonly HashSet<string> Options = ["--data", "--report", "--models", "--seed", "--seeds", "--threads", "--max-epochs", "--ties", .. ConfigOverrides.Names, .. RecipeOptions.Names, .. TextVectorsOption.Names, "--protocol", "--cutoff-quantile", "--refit", "--drop-newest"];

    public static int Run(string[] args)
    {
        var line = new CommandLine(args, Options);
        switch (line.Optional("--protocol") ?? "leave-one-out")
        {
            case "time-split":
                if (line.Optional("--drop-newest") is not null)
                {
                    // The time split's earlier cutoff is --cutoff-quantile.
                    throw new UsageException("Option '--drop-newest' belongs to '--protocol leave-one-out'; the time split moves its cutoff with '--cutoff-quantile'.");
                }
                return TimeSplitCommand.Run(line);
            case "leave-one-out":
                break;
            case string other:
                throw new UsageException($"Option '--protocol' must be 'leave-one-out' or 'time-split'; got '{other}'.");
        }
        foreach (string timeSplitOnly in new[] { "--cutoff-quantile", "--refit" })
        {
            if (line.Optional(timeSplitOnly) is not null)
            {
                throw new UsageException($"Option '{timeSplitOnly}' belongs to '--protocol time-split'.");
            }
        }
        string dataDir = line.Required("--data");
        string reportPath = line.Required("--report");
        var seeds = SeedList.Parse(line.Optional("--seeds"), line.Int("--seed", 42, 0, int.MaxValue));
        int threads = line.Int("--threads", Environment.ProcessorCount, 1, 256);
        int? maxEpochs = line.Optional("--max-epochs") is null ? null : line.Int("--max-epochs", 0, 1, 10_000);
        var names = (line.Optional("--models") ?? "popularity,sasrec,sasrec-bce,gru").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        var requested = names.Where(n => n != "popularity").Select(n => ConfigOverrides.Apply(ModelCatalogue.Find(n), line)).ToList();
        var budget = RecipeOptions.Budget(line, CatalogueRecipe.DefaultEvaluateBudget);

        int dropNewest = line.Int("--drop-newest", 0, 0, 1_000);
        var loaded = EarlierCutoff.WithoutNewest(DataSources.Open(dataDir).Load(), dropNewest);
        var data = (line.Optional("--ties") ?? "listed") switch
        {
            "listed" => loaded,
            "random" => TieOrder.ListedAtRandom(loaded, seed: 0),
            string other => throw new UsageException($"Option '--ties' must be 'listed' or 'random'; got '{other}'."),
        };
        if (requested.Any(c => c.UseText))
        {
            TextVectorsOption.Attach(line, data.Items, threads);
        }
        var split = new LeaveOneOutSplit(data);
        if (split.Users.Count == 0)
        {
            throw new DataFormatException($"'{dataDir}' has no user with three or more interactions to evaluate.");
        }
        AnsiConsole.MarkupLineInterpolated($"[bold]{data.Name}[/]: {data.UserIds.Count} users, {data.Items.Count} items, {data.InteractionCount} interactions");
        var decisions = RecipeOptions.Decide(line, requested, data);
        decisions.ForEach(d => AnsiConsole.MarkupLineInterpolated($"recipe: {d.Reason}"));
        var evaluator = new RankingEvaluator(data.Items, split.TrainSequences);
        var validation = split.Users.Select(u => (u.ValidationInput, u.Validation)).ToList();
        var test = split.Users.Select(u => (u.TestInput, u.Test)).ToList();

        var runs = names.ToDictionary(n => n, _ => new List<ModelReport>(), StringComparer.Ordinal);
        foreach (int seed in seeds)
        {
            TorchRuntime.Configure(threads, seed);
            if (names.Contains("popularity"))
            {
                runs["popularity"].Add(new ModelReport("popularity", seed, evaluator.Evaluate(new PopularityScorer(split.TrainSequences, data.Items.TableSize), test, seed), null));
            }
            // Popularity alone trains nothing and needs no budget.
            var shared = budget is { } total && decisions.Count > 0 ? new SharedBudget(total, decisions.Count) : null;
            int left = decisions.Count;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    foreach (var (config, recipe) in decisions)
                    {
                        var effective = maxEpochs is { } cap ? config with { MaxEpochs = cap } : config;
                        string label = seeds.Count == 1 ? effective.Name : string.Create(CultureInfo.InvariantCulture, $"{effective.Name} seed {seed}");
                        var task = context.AddTask(label, maxValue: effective.MaxEpochs);
                        var share = shared?.NextShare(left--);
                        using var model = ModelFactory.Create(effective, data.Items);
                        var scorer = new ModelScorer(model);
                        var trainer = new SequenceTrainer(model, seed);
                        double Validate() => evaluator.Evaluate(scorer, validation, seed, beyondAccuracy: false).Ndcg10;
                        var result = trainer.Train(split.TrainSequences, Validate, effective.MaxEpochs,
                            epoch =>
                            {
                                task.Value = epoch.Epoch;
                                task.Description = epoch.ValidationNdcg10 is { } v
                                    ? $"{label} loss {epoch.Loss:0.000} val NDCG@10 {v:0.0000}"
                                    : $"{label} loss {epoch.Loss:0.000}";
                            }, sameTime: split.TrainSameTime, budget: share, times: split.TrainTimes);
                        task.Value = task.MaxValue;
                        string? boost = HeldOutBoostChoice.Choose(model, Validate);
                        runs[effective.Name].Add(new ModelReport(effective.Name, seed, evaluator.Evaluate(scorer, test, seed), result,
                            boost is null ? recipe : $"{recipe}; {boost}"));
                    }
                });
        }

        var report = new EvaluationReport(data.Name, Protocol, data.UserIds.Count, data.Items.Count, data.InteractionCount, seeds,
            names.Select(n => new ModelRuns(n, runs[n])).ToList());
        string? directory = Path.GetDirectoryName(Path.GetFullPath(reportPath));
        Directory.CreateDirectory(directory!);
        ReportWriter.WriteJson(report, reportPath);
        string markdown = ReportWriter.Markdown(report);
        File.WriteAllText(Path.ChangeExtension(reportPath, ".md"), markdown);
        ReportWriter.WriteCurves(report, Path.ChangeExtension(reportPath, ".png"));
        Console.WriteLine(markdown);
        AnsiConsole.MarkupLineInterpolated($"Report: [bold]{reportPath}[/] (+ .md, .png)");
        return 0;
    }
}
