using System.Text;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Admin;

/// <summary>/admin/traffic: ingest and devices over time, the ingest gate now, refusals by status.</summary>
internal static class TrafficPage
{
    public static string Render(IngestWindow ingest, FeedbackCounts counts, IReadOnlyDictionary<int, long> rejected,
        int inFlight, int queued, string csrf)
    {
        var rows = new StringBuilder();
        foreach (var (status, count) in rejected)
        {
            rows.Append($"<tr><td>{status}</td><td>{Html.E(Meaning(status))}</td><td class=\"n\">{Html.E(count)}</td></tr>");
        }
        long active = ingest.Buckets.Count == 0 ? 0 : ingest.Buckets[^1].Devices;
        return Html.Page("Traffic", $"""
            <div class="cards">
              <div class="card"><span>Events stored</span><b>{Html.E(counts.Events)}</b><span>{Html.E(counts.Batches)} batches</span></div>
              <div class="card"><span>Devices</span><b>{Html.E(counts.Devices)}</b><span>{Html.E(active)} synced in the last {Html.E(ingest.Width)}</span></div>
              <div class="card"><span>Batches in flight</span><b>{inFlight}</b><span>{queued} waiting for a slot</span></div>
            </div>
            <h2>Ingest</h2>
            {ingest.EventsChart()}
            <h2>Devices</h2>
            {ingest.DevicesChart()}
            <h2>Refused requests since the server started</h2>
            {(rejected.Count == 0 ? "<p class=\"note\" id=\"rejections\">None.</p>"
                : $"<table id=\"rejections\"><thead><tr><th>status</th><th>meaning</th><th>count</th></tr></thead><tbody>{rows}</tbody></table>")}
            """, "Traffic", csrf);
    }

    private static string Meaning(int status) => status switch
    {
        400 => "malformed batch or invalid events",
        401 => "wrong device secret",
        403 => "batch for another device",
        409 => "batch id reused for other content",
        413 => "body over the size limit",
        429 => "rate limit",
        503 => "ingest slots and queue full",
        _ => "",
    };
}
