using System.Diagnostics.Metrics;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// Gauges read when a scraper collects: ingest slots in use and waiting, devices known to the store, the serving
/// model's version and the evaluation that let it through the gate. Created at start-up so the first scrape has them.
/// </summary>
public sealed class ServerGauges
{
    public ServerGauges(ServerMetrics metrics, IngestGate gate, IFeedbackReader store, ModelRegistry registry)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("reco.ingest.in_flight", () => gate.InFlight, "{batch}", "Batches being processed now (at most MaxConcurrentIngests).");
        meter.CreateObservableGauge("reco.ingest.queued", () => gate.Queued, "{batch}", "Batches waiting for a slot (beyond IngestQueueLimit they get 503).");
        meter.CreateObservableGauge("reco.devices", () => store.Counts().Devices, "{device}", "Devices the store has seen (registered or synced).");
        meter.CreateObservableGauge("reco.model.serving_version", () => registry.Serving?.ModelVersion ?? 0, "{version}",
            "Model version devices are offered; 0 before the first publication.");
        meter.CreateObservableGauge("reco.model.serving_quality", () => Quality(registry), "1",
            "The serving model's held-out evaluation when it was trained, by metric (ndcg@10, hr@10, baseline_ndcg@10, ...).");
    }

    private static IEnumerable<Measurement<double>> Quality(ModelRegistry registry) =>
        registry.Serving is { } serving
            ? serving.Metrics.Select(m => new Measurement<double>(m.Value, new KeyValuePair<string, object?>("metric", m.Key)))
            : [];
}
