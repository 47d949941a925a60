using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>Writes the report as JSON (the contract), a Markdown table and a PNG of the training curves.</summary>
public static class ReportWriter
{
    public static void WriteJson(EvaluationReport report, string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("dataset", report.Dataset);
        json.WriteString("protocol", report.Protocol);
        json.WriteNumber("users", report.Users);
        json.WriteNumber("items", report.Items);
        json.WriteNumber("interactions", report.Interactions);
        json.WriteNumber("seed", report.Seed);
        json.WriteStartArray("models");
        foreach (var model in report.Models)
        {
            var m = model.Test;
            json.WriteStartObject();
            json.WriteString("name", model.Name);
            json.WriteNumber("hr@10", Round(m.HitRate10));
            json.WriteNumber("ndcg@10", Round(m.Ndcg10));
            json.WriteNumber("mrr", Round(m.Mrr));
            json.WriteNumber("recall@20", Round(m.Recall20));
            json.WriteNumber("sampled_hr@10", Round(m.SampledHitRate10));
            json.WriteNumber("sampled_ndcg@10", Round(m.SampledNdcg10));
            json.WriteNumber("coverage@10", Round(m.Coverage10));
            json.WriteNumber("diversity@10", Round(m.Diversity10));
            json.WriteNumber("novelty@10", Round(m.Novelty10));
            json.WriteNumber("epochs", model.Training?.EpochsRun ?? 0);
            json.WriteNumber("best_epoch", model.Training?.BestEpoch ?? 0);
            json.WriteNumber("validation_ndcg@10", Round(model.Training?.BestValidationNdcg10 is { } v && double.IsFinite(v) ? v : 0));
            json.WriteNumber("train_seconds", Math.Round(model.Training?.TrainSeconds ?? 0, 1));
            json.WriteNumber("seconds_per_epoch", Math.Round(model.Training?.SecondsPerEpoch ?? 0, 2));
            json.WriteNumber("test_users", m.Cases);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static double Round(double value) => Math.Round(value, 5);

    public static string Markdown(EvaluationReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Dataset `{report.Dataset}`: {report.Users} users, {report.Items} items, {report.Interactions} interactions; seed {report.Seed}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Protocol: {report.Protocol}");
        text.AppendLine();
        text.AppendLine("| model | HR@10 | NDCG@10 | MRR | Recall@20 | sampled HR@10 | sampled NDCG@10 | coverage@10 | diversity@10 | novelty@10 | epochs (best) | train s | s/epoch |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var model in report.Models)
        {
            var m = model.Test;
            var t = model.Training;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {model.Name} | {m.HitRate10:0.0000} | {m.Ndcg10:0.0000} | {m.Mrr:0.0000} | {m.Recall20:0.0000} | {m.SampledHitRate10:0.0000} | {m.SampledNdcg10:0.0000} | {m.Coverage10:0.0000} | {m.Diversity10:0.0000} | {m.Novelty10:0.00} | {(t is null ? "-" : $"{t.EpochsRun} ({t.BestEpoch})")} | {(t is null ? "-" : $"{t.TrainSeconds:0}")} | {(t is null ? "-" : $"{t.SecondsPerEpoch:0.00}")} |");
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
        foreach (var model in report.Models.Where(m => m.Training is not null))
        {
            var curve = model.Training!.Curve;
            var evaluated = curve.Where(e => e.ValidationNdcg10 is not null).ToArray();
            var ndcg = plot.Add.Scatter(evaluated.Select(e => (double)e.Epoch).ToArray(), evaluated.Select(e => e.ValidationNdcg10!.Value).ToArray());
            ndcg.LegendText = model.Name;
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
