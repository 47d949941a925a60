using System.Text.Json;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Admin;

/// <summary>A recorded model version with the gate metrics the dashboard charts, read from its metrics JSON.</summary>
internal sealed record ModelView(long Version, DateTimeOffset CreatedAt, bool Published, double? Ndcg10, double? HitRate10,
    double? BaselineNdcg10, string Reason, double? Epsilon = null, double? Delta = null, long? CatalogueUpdateOf = null, int? ItemsAdded = null)
{
    public static ModelView From(ModelRecord record)
    {
        Dictionary<string, double>? metrics = null;
        try
        {
            metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(record.Metrics);
        }
        catch (JsonException)
        {
            // A record written by another tool: show the version without numbers rather than no page at all.
        }
        double? Get(string key) => metrics is not null && metrics.TryGetValue(key, out double v) ? v : null;
        return new ModelView(record.Version, record.CreatedAt, record.Published, Get("ndcg@10"), Get("hr@10"), Get("baseline_ndcg@10"), record.Reason,
            Get("dp_epsilon"), Get("dp_delta"), (long?)Get("catalogue_update_of"), (int?)Get("catalogue_items_added"));
    }

    /// <summary>"catalogue update of v3: +2 items" for a version made by adding items to an earlier one; null for a trained version.</summary>
    public string? CatalogueText => CatalogueUpdateOf is { } of ? $"catalogue update of v{of}: +{ItemsAdded} item{(ItemsAdded == 1 ? "" : "s")}" : null;

    /// <summary>Gate metrics across versions: candidate NDCG@10 (hollow when kept back) against its baseline (the model serving then, or popularity).</summary>
    public static string Chart(IReadOnlyList<ModelView> models) => SvgChart.Lines("Gate metrics on held-out recent events, by version",
        models.Select(m => "v" + m.Version).ToList(),
        [
            new SvgChart.Series("candidate NDCG@10 (hollow: kept back)", "#3b6fd1", models.Select(m => m.Ndcg10).ToList(), models.Select(m => m.Published).ToList()),
            new SvgChart.Series("baseline NDCG@10", "#e08a2c", models.Select(m => m.BaselineNdcg10).ToList()),
            new SvgChart.Series("candidate HR@10", "#3aa76d", models.Select(m => m.HitRate10).ToList()),
        ]);
}
