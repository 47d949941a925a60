using System.Globalization;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// Ingest over time for the charts: the last 24 hours, or since the first batch when the server is younger, in at
/// most 48 buckets — so a fresh server's chart is not one bar at the right edge.
/// </summary>
internal sealed record IngestWindow(IReadOnlyList<IngestBucket> Buckets, TimeSpan Bucket)
{
    private const int MaxBuckets = 48;

    public static IngestWindow Load(IFeedbackReader store)
    {
        // Batch arrival times are stored from the system clock, so the window is measured on it too.
        var now = DateTimeOffset.UtcNow;
        var dayAgo = now.AddHours(-24);
        var first = store.IngestHistory(dayAgo, TimeSpan.FromHours(24)).FirstOrDefault();
        if (first is null)
        {
            return new IngestWindow([], TimeSpan.FromMinutes(30));
        }
        // The coarse query says only that something arrived; find the first minute with a batch.
        var since = store.IngestHistory(dayAgo, TimeSpan.FromMinutes(1))[0].Start;
        var span = now - since;
        var bucket = TimeSpan.FromSeconds(Math.Max(5, Math.Ceiling(span.TotalSeconds / MaxBuckets / 5) * 5));
        var found = store.IngestHistory(since, bucket).ToDictionary(b => b.Start);
        var buckets = new List<IngestBucket>();
        for (var start = since; start <= now; start += bucket)
        {
            buckets.Add(found.TryGetValue(start, out var b) ? b : new IngestBucket(start, 0, 0, 0));
        }
        return new IngestWindow(buckets, bucket);
    }

    public IReadOnlyList<string> Labels => Buckets.Select(b => b.Start.UtcDateTime.ToString(
        Bucket < TimeSpan.FromMinutes(1) ? "HH:mm:ss" : "HH:mm", CultureInfo.InvariantCulture)).ToList();

    public string Width => Bucket < TimeSpan.FromMinutes(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{Bucket.TotalSeconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{Bucket.TotalMinutes:0.#} min");

    public string EventsChart() =>
        SvgChart.Bars($"Events stored per {Width} (UTC)", Labels, Buckets.Select(b => (double)b.Events).ToList(), "#3b6fd1");

    public string DevicesChart() =>
        SvgChart.Bars($"Devices syncing per {Width} (UTC)", Labels, Buckets.Select(b => (double)b.Devices).ToList(), "#3aa76d");
}
