using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Admin;

/// <summary>/admin: what serves, how much came in, how the models compare, at a glance.</summary>
internal static class OverviewPage
{
    public static string Render(ModelRelease? serving, FeedbackCounts counts, long rejected, RetrainingRun? lastRun,
        IReadOnlyList<ModelView> models, IngestWindow ingest, string csrf)
    {
        string servingText = serving is null
            ? "<b id=\"serving-version\">none</b><span>devices use popularity and content</span>"
            : $"<b id=\"serving-version\">v{serving.ModelVersion}</b><span>{Html.E(serving.Architecture)}, built {Html.Time(serving.CreatedAt)}{CatalogueNote(serving)}</span>";
        string last = lastRun is null ? "<b>none yet</b><span>&nbsp;</span>"
            : $"<b>{Html.E(RetrainingPage.OutcomeText(lastRun))}</b><span>{Html.Time(lastRun.Started)}, {Html.Duration(lastRun.Seconds)}</span>";
        return Html.Page("Overview", $"""
            <div class="cards">
              <div class="card"><span>Serving model</span>{servingText}</div>
              <div class="card"><span>Events stored</span><b id="events-stored">{Html.E(counts.Events)}</b><span>{Html.E(counts.Batches)} batches</span></div>
              <div class="card"><span>Devices</span><b id="devices">{Html.E(counts.Devices)}</b><span>registered or synced</span></div>
              <div class="card"><span>Requests refused</span><b>{Html.E(rejected)}</b><span>since the server started</span></div>
              <div class="card"><span>Last retraining</span>{last}</div>
            </div>
            <h2>Models</h2>
            {ModelView.Chart(models)}
            <h2>Ingest</h2>
            {ingest.EventsChart()}
            """, "Overview", csrf);
    }

    /// <summary>", catalogue update of v3 (+2 items)" when the serving version added items to an earlier model.</summary>
    private static string CatalogueNote(ModelRelease serving) =>
        serving.Metrics.TryGetValue("catalogue_update_of", out double of)
            ? $"<span id=\"serving-catalogue\">, catalogue update of v{of:0} (+{serving.Metrics.GetValueOrDefault("catalogue_items_added"):0} items)</span>"
            : "";
}
