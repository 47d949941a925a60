using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>Writes the report as JSON (the contract), a Markdown table and a PNG of the training curves.</summary>
public static class ReportWriter
{
    /// <summary>
    /// One seed: each model's line holds that run's numbers. Several seeds: the line holds the mean of each number,
    /// plus "mean" and "sd" (sample standard deviation) objects and every seed's numbers under "runs".
    /// </summary>
    public static void WriteJson(EvaluationReport report, string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        bool seeded = report.Seeds.Count > 1;
        json.WriteStartObject();
        json.WriteString("dataset", report.Dataset);
        json.WriteString("protocol", report.Protocol);
        json.WriteNumber("users", report.Users);
        json.WriteNumber("items", report.Items);
        json.WriteNumber("interactions", report.Interactions);
        json.WriteNumber("seed", report.Seeds[0]);
        if (seeded)
        {
            json.WriteStartArray("seeds");
            report.Seeds.ToList().ForEach(json.WriteNumberValue);
            json.WriteEndArray();
        }
        json.WriteStartArray("models");
        foreach (var model in report.Models)
        {
            json.WriteStartObject();
            json.WriteString("name", model.Name);
            if (model.Runs[0].Recipe is { } recipe)
            {
                json.WriteString("recipe", recipe);
            }
            if (!seeded)
            {
                WriteNumbers(json, model.Runs[0]);
                WriteStopped(json, model.Runs[0]);
            }
            else
            {
                var (mean, sd) = Summary(model);
                foreach (var metric in ReportMetrics.All)
                {
                    json.WriteNumber(metric.Key, Round(metric.Key, mean[metric.Key]));
                }
                json.WriteNumber("test_users", model.Runs[0].Test.Cases);
                WriteObject(json, "mean", mean);
                WriteObject(json, "sd", sd);
                json.WriteStartArray("runs");
                foreach (var run in model.Runs)
                {
                    json.WriteStartObject();
                    json.WriteNumber("seed", run.Seed);
                    WriteNumbers(json, run);
                    WriteStopped(json, run);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNumbers(Utf8JsonWriter json, ModelReport run)
    {
        foreach (var metric in ReportMetrics.All)
        {
            json.WriteNumber(metric.Key, Round(metric.Key, metric.Read(run)));
        }
        json.WriteNumber("test_users", run.Test.Cases);
    }

    private static void WriteStopped(Utf8JsonWriter json, ModelReport run)
    {
        if (run.Training is { } training)
        {
            json.WriteString("stopped", training.StoppedText);
            if (training.StopDetail.Length > 0)
            {
                json.WriteString("stopped_because", training.StopDetail);
            }
            if (training.Privacy is { } privacy)
            {
                json.WriteStartObject("privacy");
                json.WriteString("unit", "user");
                foreach (var (key, value) in privacy.Metrics())
                {
                    json.WriteNumber(key["dp_".Length..], value);
                }
                json.WriteNumber("planned_steps", privacy.PlannedSteps);
                json.WriteNumber("planned_epsilon", privacy.PlannedEpsilon);
                json.WriteNumber("clipped_share", Math.Round(privacy.ClippedShare, 4));
                json.WriteEndObject();
            }
        }
    }

    private static void WriteObject(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, double> values)
    {
        json.WriteStartObject(name);
        foreach (var metric in ReportMetrics.All)
        {
            json.WriteNumber(metric.Key, Round(metric.Key, values[metric.Key]));
        }
        json.WriteEndObject();
    }

    /// <summary>Mean and sample standard deviation of every number over the model's seeds.</summary>
    public static (IReadOnlyDictionary<string, double> Mean, IReadOnlyDictionary<string, double> Sd) Summary(ModelRuns model)
    {
        var mean = new Dictionary<string, double>(StringComparer.Ordinal);
        var sd = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var metric in ReportMetrics.All)
        {
            var values = model.Runs.Select(metric.Read).ToList();
            mean[metric.Key] = ReportMetrics.Mean(values);
            sd[metric.Key] = ReportMetrics.SampleSd(values);
        }
        return (mean, sd);
    }

    private static double Round(string key, double value) => key switch
    {
        "train_seconds" => Math.Round(value, 1),
        "seconds_per_epoch" => Math.Round(value, 2),
        _ => Math.Round(value, 5),
    };

    /// <summary>One row per model; with several seeds each cell is "mean ± sd".</summary>
    public static string Markdown(EvaluationReport report)
    {
        var text = new StringBuilder();
        string seeds = report.Seeds.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"seed {report.Seeds[0]}")
            : string.Create(CultureInfo.InvariantCulture, $"seeds {string.Join(", ", report.Seeds)} (mean ± sample sd over {report.Seeds.Count} runs)");
        text.AppendLine(CultureInfo.InvariantCulture, $"Dataset `{report.Dataset}`: {report.Users} users, {report.Items} items, {report.Interactions} interactions; {seeds}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Protocol: {report.Protocol}");
        text.AppendLine();
        text.AppendLine("| model | HR@10 | NDCG@10 | MRR | Recall@20 | sampled HR@10 | sampled NDCG@10 | coverage@10 | diversity@10 | novelty@10 | epochs (best) | train s | s/epoch |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var model in report.Models)
        {
            var (mean, sd) = Summary(model);
            bool trained = model.Runs[0].Training is not null;
            string Cell(string key, string format) => report.Seeds.Count == 1
                ? mean[key].ToString(format, CultureInfo.InvariantCulture)
                : $"{mean[key].ToString(format, CultureInfo.InvariantCulture)} ± {sd[key].ToString(format, CultureInfo.InvariantCulture)}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {model.Name} | {Cell("hr@10", "0.0000")} | {Cell("ndcg@10", "0.0000")} | {Cell("mrr", "0.0000")} | {Cell("recall@20", "0.0000")} | {Cell("sampled_hr@10", "0.0000")} | {Cell("sampled_ndcg@10", "0.0000")} | {Cell("coverage@10", "0.0000")} | {Cell("diversity@10", "0.0000")} | {Cell("novelty@10", "0.00")} | {(trained ? $"{Cell("epochs", "0.#")} ({Cell("best_epoch", "0.#")})" : "-")} | {(trained ? Cell("train_seconds", "0") : "-")} | {(trained ? Cell("seconds_per_epoch", "0.00") : "-")} |");
        }
        var recipes = report.Models.Where(m => m.Runs[0].Recipe is not null).ToList();
        if (recipes.Count > 0)
        {
            text.AppendLine();
            foreach (var model in recipes)
            {
                string stopped = string.Join(", ", model.Runs.Select(r => r.Training is { } t
                    ? (t.StopDetail.Length > 0 ? $"{t.StoppedText} ({t.StopDetail})" : t.StoppedText)
                    : "-"));
                text.AppendLine(CultureInfo.InvariantCulture, $"- recipe {model.Runs[0].Recipe}; stopped: {stopped}");
            }
        }
        return text.ToString();
    }

    /// <summary>Validation NDCG@10 and training loss per epoch, one line per model.</summary>
    public static void WriteCurves(EvaluationReport report, string path)
    {
        var plot = new ScottPlot.Plot();
        plot.Title("Training curves");
        plot.XLabel("epoch");
        plot.YLabel("validation NDCG@10");
        var lossAxis = plot.Axes.Right;
        lossAxis.Label.Text = "training loss (dashed)";
        foreach (var model in report.Models.SelectMany(m => m.Runs).Where(r => r.Training is not null))
        {
            var curve = model.Training!.Curve;
            var evaluated = curve.Where(e => e.ValidationNdcg10 is not null).ToArray();
            var ndcg = plot.Add.Scatter(evaluated.Select(e => (double)e.Epoch).ToArray(), evaluated.Select(e => e.ValidationNdcg10!.Value).ToArray());
            ndcg.LegendText = report.Seeds.Count == 1 ? model.Name : $"{model.Name} (seed {model.Seed})";
            var loss = plot.Add.Scatter(curve.Select(e => (double)e.Epoch).ToArray(), curve.Select(e => e.Loss).ToArray());
            loss.Axes.YAxis = lossAxis;
            loss.LinePattern = ScottPlot.LinePattern.Dashed;
            loss.MarkerSize = 0;
            loss.Color = ndcg.Color;
        }
        plot.ShowLegend();
        plot.SavePng(path, 900, 540);
    }
}
