using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// Writes a time-split run as JSON (per model: overall and per-segment NDCG@10 and HR@10 with bootstrap 95%
/// intervals over users, target counts, validation NDCG@10, how training stopped; then every text model's NDCG@10
/// ratio to every other model per segment, with paired intervals) and as a Markdown table.
/// </summary>
public static class TimeSplitReportWriter
{
    public const string Protocol =
        "time split: one global cutoff at a quantile of interaction times; models train on interactions before a validation cutoff (the same quantile " +
        "of the times before the cutoff), early-stop on the replay of [validation cutoff, cutoff) and are tested on the replay of every interaction " +
        "after the cutoff in time order, each predicted from everything the user did strictly earlier, without retraining; full ranking over all " +
        "items excluding the user's history, ties counted half; segments by the target item's interactions before the cutoff (new: none, tail: " +
        "fewer than 20, head) and new_user (users with no interaction before the cutoff); 95% intervals from 1,000 bootstrap resamples of users";

    public static void WriteJson(TimeSplitResult result, string path)
    {
        var split = result.Split;
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("dataset", split.Data.Name);
        json.WriteString("protocol", Protocol);
        json.WriteNumber("cutoff_quantile", split.Quantile);
        json.WriteNumber("cutoff", split.Cutoff);
        json.WriteNumber("validation_cutoff", split.ValidationCutoff);
        json.WriteNumber("users", split.Data.UserIds.Count);
        json.WriteNumber("items", split.Data.Items.Count);
        json.WriteNumber("interactions", split.Data.InteractionCount);
        json.WriteNumber("train_interactions", split.TrainSequences.Sum(s => s.Length));
        json.WriteNumber("validation_targets", split.Validation.Count);
        json.WriteNumber("test_targets", split.Test.Count);
        json.WriteNumber("test_users", split.Test.Select(c => c.User).Distinct().Count());
        json.WriteNumber("seed", result.Seed);
        json.WriteStartArray("models");
        foreach (var model in result.Models)
        {
            json.WriteStartObject();
            json.WriteString("name", model.Name);
            if (model.Recipe is { } recipe)
            {
                json.WriteString("recipe", recipe);
            }
            if (model.Detail is { } detail)
            {
                json.WriteString("chosen", detail);
            }
            json.WriteNumber("validation_ndcg@10", Math.Round(model.ValidationNdcg10, 5));
            json.WriteStartObject("validation");
            foreach (var (group, (ndcg, targets)) in model.Validation)
            {
                json.WriteStartObject(group);
                WriteNumber(json, "ndcg@10", ndcg);
                json.WriteNumber("targets", targets);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            var all = model.Test.Metrics("all", result.Bootstrap);
            WriteMetrics(json, all);
            json.WriteStartObject("segments");
            foreach (string group in SegmentResults.Groups.Skip(1))
            {
                json.WriteStartObject(group);
                WriteMetrics(json, model.Test.Metrics(group, result.Bootstrap));
                json.WriteEndObject();
            }
            json.WriteEndObject();
            if (model.Training is { } training)
            {
                json.WriteNumber("epochs", training.EpochsRun);
                json.WriteNumber("best_epoch", training.BestEpoch);
                json.WriteNumber("seconds_per_epoch", Math.Round(training.SecondsPerEpoch, 2));
                json.WriteString("stopped", training.StoppedText);
                json.WriteString("stopped_because", training.StopDetail);
            }
            if (model.Refit is { } refit)
            {
                // The tested model: the recipe retrained on everything before the cutoff.
                json.WriteStartObject("refit");
                json.WriteNumber("epochs", refit.EpochsRun);
                json.WriteNumber("seconds_per_epoch", Math.Round(refit.SecondsPerEpoch, 2));
                json.WriteString("stopped", refit.StoppedText);
                json.WriteString("stopped_because", refit.StopDetail);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("comparisons");
        foreach (var (a, b) in Comparisons(result))
        {
            json.WriteStartObject();
            json.WriteString("model", a.Name);
            json.WriteString("versus", b.Name);
            json.WriteString("metric", "ndcg@10 ratio");
            foreach (string group in SegmentResults.Groups)
            {
                var (ratio, low, high) = a.Test.NdcgRatio(b.Test, group, result.Bootstrap);
                json.WriteStartObject(group);
                WriteNumber(json, "ratio", ratio);
                WriteInterval(json, "ci95", (low, high));
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static string Markdown(TimeSplitResult result)
    {
        var split = result.Split;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Time-split evaluation: {split.Data.Name}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Cutoff at the {split.Quantile:P0} quantile of interaction times ({split.Cutoff}); validation from {split.ValidationCutoff}. " +
            $"{split.Test.Count:N0} test targets from {split.Test.Select(c => c.User).Distinct().Count():N0} users; {split.Validation.Count:N0} validation targets.");
        AppendSegmentTable(text, "NDCG@10 [95% interval] (targets) per segment:", "model", result.Models.Select(model =>
            (model.Name, SegmentResults.Groups.Select(g =>
            {
                var m = model.Test.Metrics(g, result.Bootstrap);
                return string.Create(CultureInfo.InvariantCulture, $"{m.Ndcg10:0.0000} [{m.Ndcg10Interval.Low:0.0000}, {m.Ndcg10Interval.High:0.0000}] ({m.Targets:N0})");
            }).Append(model.ValidationNdcg10.ToString("0.0000", CultureInfo.InvariantCulture)))),
            extraColumn: "validation NDCG@10");
        AppendSegmentTable(text, "HR@10 per segment:", "model", result.Models.Select(model =>
            (model.Name, SegmentResults.Groups.Select(g =>
            {
                var m = model.Test.Metrics(g, result.Bootstrap);
                return string.Create(CultureInfo.InvariantCulture, $"{m.Hr10:0.0000} [{m.Hr10Interval.Low:0.0000}, {m.Hr10Interval.High:0.0000}]");
            }))));
        AppendSegmentTable(text, "Validation NDCG@10 per segment (segments relative to the validation cutoff; what choices may look at):", "model",
            result.Models.Select(model => (model.Name, SegmentResults.Groups.Select(g => string.Create(CultureInfo.InvariantCulture,
                $"{model.Validation[g].Ndcg10:0.0000} ({model.Validation[g].Targets:N0})")))));
        var comparisons = Comparisons(result).ToList();
        if (comparisons.Count > 0)
        {
            AppendSegmentTable(text, "NDCG@10 ratios, paired bootstrap 95% interval:", "ratio", comparisons.Select(pair =>
                ($"{pair.Item1.Name} ÷ {pair.Item2.Name}", SegmentResults.Groups.Select(g =>
                {
                    var (ratio, low, high) = pair.Item1.Test.NdcgRatio(pair.Item2.Test, g, result.Bootstrap);
                    return string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00} [{low:0.00}, {high:0.00}]");
                }))));
        }
        foreach (var model in result.Models)
        {
            if (model.Detail is { } detail)
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"{model.Name}: {detail}.");
            }
            if (model.Training is { } training)
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{model.Name}: {model.Recipe}; {training.EpochsRun} epochs ({training.SecondsPerEpoch:0.0} s each), best {training.BestEpoch}, stopped: {training.StoppedText} ({training.StopDetail}).");
            }
            if (model.Refit is { } refit)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{model.Name}: tested after a refit on everything before the cutoff, {refit.EpochsRun} epochs ({refit.SecondsPerEpoch:0.0} s each), stopped: {refit.StoppedText} ({refit.StopDetail}).");
            }
        }
        return text.ToString();
    }

    /// <summary>One markdown table: a row label, then one cell per segment group (and the extra column, if named).</summary>
    private static void AppendSegmentTable(StringBuilder text, string title, string rowHeader,
        IEnumerable<(string Label, IEnumerable<string> Cells)> rows, string? extraColumn = null)
    {
        var columns = new[] { rowHeader }.Concat(SegmentResults.Groups).ToList();
        if (extraColumn is not null)
        {
            columns.Add(extraColumn);
        }
        text.AppendLine();
        text.AppendLine(title);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", columns)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|{string.Concat(Enumerable.Repeat(" --- |", columns.Count))}");
        foreach (var (label, cells) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {string.Join(" | ", cells)} |");
        }
    }

    /// <summary>Every model whose name contains "text" against every other model.</summary>
    private static IEnumerable<(TimeSplitModel, TimeSplitModel)> Comparisons(TimeSplitResult result) =>
        from a in result.Models
        where a.Name.Contains("text", StringComparison.Ordinal)
        from b in result.Models
        where !ReferenceEquals(a, b)
        select (a, b);

    private static void WriteMetrics(Utf8JsonWriter json, GroupMetrics metrics)
    {
        WriteNumber(json, "ndcg@10", metrics.Ndcg10);
        WriteNumber(json, "hr@10", metrics.Hr10);
        json.WriteNumber("targets", metrics.Targets);
        WriteInterval(json, "ndcg@10_ci95", metrics.Ndcg10Interval);
        WriteInterval(json, "hr@10_ci95", metrics.Hr10Interval);
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value, 5));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteInterval(Utf8JsonWriter json, string name, (double Low, double High) interval)
    {
        json.WriteStartArray(name);
        foreach (double value in new[] { interval.Low, interval.High })
        {
            if (double.IsFinite(value))
            {
                json.WriteNumberValue(Math.Round(value, 5));
            }
            else
            {
                json.WriteNullValue();
            }
        }
        json.WriteEndArray();
    }
}
