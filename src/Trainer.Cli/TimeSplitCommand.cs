using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation.TimeSplit;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Spectre.Console;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// evaluate --protocol time-split --data DATA --report FILE.json [--models popularity,content,sasrec,sasrec-text]
/// [--cutoff-quantile 0.9] [--seed N] [--threads N] [--max-epochs N] [--softmax …] [--time-budget MINUTES|off] [--text-cache PATH]
/// [--refit on|off]:
/// the time-split protocol (<see cref="TimeSplitData"/>), every model on the same replay, per-segment metrics with
/// bootstrap intervals (<see cref="TimeSplitReportWriter"/>).
/// </summary>
public static class TimeSplitCommand
{
    public const string DefaultModels = "popularity,content,sasrec,sasrec-text";

    public static int Run(CommandLine line)
    {
        foreach (string leaveOneOutOnly in new[] { "--seeds", "--ties" })
        {
            if (line.Optional(leaveOneOutOnly) is not null)
            {
                throw new UsageException($"Option '{leaveOneOutOnly}' belongs to the leave-one-out protocol; time-split runs one seed ('--seed').");
            }
        }
        string dataDir = line.Required("--data");
        string reportPath = line.Required("--report");
        int seed = line.Int("--seed", 42, 0, int.MaxValue);
        int threads = line.Int("--threads", Environment.ProcessorCount, 1, 256);
        int? maxEpochs = line.Optional("--max-epochs") is null ? null : line.Int("--max-epochs", 0, 1, 10_000);
        string quantileText = line.Optional("--cutoff-quantile") ?? "0.9";
        if (!double.TryParse(quantileText, NumberStyles.Float, CultureInfo.InvariantCulture, out double quantile) || quantile <= 0 || quantile >= 1)
        {
            throw new UsageException($"Option '--cutoff-quantile' must be a number strictly between 0 and 1; got '{quantileText}'.");
        }
        var names = (line.Optional("--models") ?? DefaultModels).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToArray();
        var baselines = names.Where(n => n is TimeSplitEvaluation.Popularity or TimeSplitEvaluation.Content).ToHashSet(StringComparer.Ordinal);
        var requested = names.Where(n => !baselines.Contains(n)).Select(n => ConfigOverrides.Apply(ModelCatalogue.Find(n), line))
            .Select(c => maxEpochs is { } cap ? c with { MaxEpochs = cap } : c).ToList();
        var budget = RecipeOptions.Budget(line, CatalogueRecipe.DefaultEvaluateBudget);
        bool refit = line.Optional("--refit") switch
        {
            null or "on" => true,
            "off" => false,
            var other => throw new UsageException($"Option '--refit' takes 'on' or 'off'; got '{other}'."),
        };

        TorchRuntime.Configure(threads, seed);
        var data = DataSources.Open(dataDir).Load();
        var split = new TimeSplitData(data, quantile);
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{data.Name}[/]: {data.UserIds.Count} users, {data.Items.Count} items, {data.InteractionCount} interactions; {split.Test.Count} test targets after the cutoff, {split.Validation.Count} validation targets");
        if (baselines.Contains(TimeSplitEvaluation.Content) || requested.Any(c => c.UseText))
        {
            TextVectorsOption.Attach(line, data.Items, threads);
        }
        var decisions = RecipeOptions.Decide(line, requested, data);
        decisions.ForEach(d => AnsiConsole.MarkupLineInterpolated($"recipe: {d.Reason}"));
        var result = TimeSplitEvaluation.Run(split, baselines, decisions, seed, budget, (name, epoch) =>
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} epoch {epoch.Epoch}: loss {epoch.Loss:0.000}{(epoch.ValidationNdcg10 is { } v ? $", validation NDCG@10 {v:0.0000}" : "")} ({epoch.Seconds:0.0} s)")),
            refit);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        TimeSplitReportWriter.WriteJson(result, reportPath);
        string markdown = TimeSplitReportWriter.Markdown(result);
        File.WriteAllText(Path.ChangeExtension(reportPath, ".md"), markdown);
        Console.WriteLine(markdown);
        AnsiConsole.MarkupLineInterpolated($"Report: [bold]{reportPath}[/] (+ .md)");
        return 0;
    }
}
