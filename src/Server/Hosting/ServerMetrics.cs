using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// The server's event instruments (meter "OnDeviceReco.Server", exported on /metrics in Prometheus format; see
/// <see cref="Telemetry"/>). Running totals are kept too, for the stats endpoint and the dashboard. The meter comes
/// from the host's <see cref="IMeterFactory"/> so two servers in one process (tests) never count each other's traffic.
/// </summary>
public sealed class ServerMetrics
{
    public const string MeterName = "OnDeviceReco.Server";

    // Ingest takes milliseconds; a retraining run takes seconds to an hour. The SDK's default buckets (0–10,000)
    // suit milliseconds, not seconds, so each histogram says where its boundaries are.
    private static readonly double[] IngestBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] RetrainingBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

    private readonly Counter<long> _stored;
    private readonly Counter<long> _alreadyStored;
    private readonly Counter<long> _conflicting;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _authFailures;
    private readonly Histogram<double> _ingestSeconds;
    private readonly Counter<long> _retrainingRuns;
    private readonly Histogram<double> _retrainingSeconds;
    private readonly Counter<long> _downloads;
    private readonly ConcurrentDictionary<int, long> _rejectedByStatus = new();
    private long _storedTotal;
    private long _alreadyStoredTotal;
    private long _replayedTotal;
    private long _rejectedTotal;

    public ServerMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _stored = Meter.CreateCounter<long>("reco.events.stored", "{event}", "Events stored for the first time.");
        _alreadyStored = Meter.CreateCounter<long>("reco.events.already_stored", "{event}", "Events received again and not stored twice.");
        _conflicting = Meter.CreateCounter<long>("reco.events.conflicting", "{event}",
            "Events under a (device, sequence) the server holds with other content (a device store restored from a backup): not stored; the device renumbers and resends them.");
        _batches = Meter.CreateCounter<long>("reco.batches", "{batch}", "Batches acknowledged (tag replayed=true for idempotent repeats).");
        _bytes = Meter.CreateCounter<long>("reco.ingest.bytes", "By", "Bytes of acknowledged batch bodies, as sent (compressed).");
        _rejected = Meter.CreateCounter<long>("reco.requests.rejected", "{request}", "Requests refused, by status code.");
        _authFailures = Meter.CreateCounter<long>("reco.auth.failures", "{request}",
            "Requests refused for a missing or wrong credential, by credential (api_key, device_token, admin_key, admin_login, scrape_key).");
        _ingestSeconds = Meter.CreateHistogram("reco.ingest.duration", "s", "Time to read, decode, validate and store a batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = IngestBuckets });
        _retrainingRuns = Meter.CreateCounter<long>("reco.retraining.runs", "{run}", "Retraining runs, by outcome (published, kept_back, failed).");
        _retrainingSeconds = Meter.CreateHistogram("reco.retraining.duration", "s", "Wall time of a retraining run.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RetrainingBuckets });
        _downloads = Meter.CreateCounter<long>("reco.model.downloads", "{download}", "Model packages served to devices, by version.");
    }

    /// <summary>The meter, for gauges that read state at collection time (<see cref="ServerGauges"/>).</summary>
    public Meter Meter { get; }

    public long StoredTotal => Interlocked.Read(ref _storedTotal);
    public long AlreadyStoredTotal => Interlocked.Read(ref _alreadyStoredTotal);
    public long ReplayedTotal => Interlocked.Read(ref _replayedTotal);
    public long RejectedTotal => Interlocked.Read(ref _rejectedTotal);

    /// <summary>Refusals since start, by status code.</summary>
    public IReadOnlyDictionary<int, long> RejectedByStatus => new SortedDictionary<int, long>(_rejectedByStatus);

    public void Ingested(int stored, int alreadyStored, bool replayed, long bytes, double seconds)
    {
        _stored.Add(stored);
        _alreadyStored.Add(alreadyStored);
        _batches.Add(1, new KeyValuePair<string, object?>("replayed", replayed));
        _bytes.Add(bytes);
        _ingestSeconds.Record(seconds);
        Interlocked.Add(ref _storedTotal, stored);
        Interlocked.Add(ref _alreadyStoredTotal, alreadyStored);
        if (replayed)
        {
            Interlocked.Increment(ref _replayedTotal);
        }
    }

    /// <summary>Events whose (device, sequence) the store holds with other content; a steady climb means restored stores, or a device numbering wrongly.</summary>
    public void Conflicting(int count) => _conflicting.Add(count);

    public void Rejected(int status)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("status", status));
        _rejectedByStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _rejectedTotal);
    }

    /// <summary>
    /// A wrong or missing credential. Counted apart from <see cref="Rejected"/>: devices renew expired tokens on a
    /// 401 as a matter of course, while a climb here for api_key or admin_login is worth an alert.
    /// </summary>
    public void AuthFailed(string credential) => _authFailures.Add(1, new KeyValuePair<string, object?>("credential", credential));

    public void RetrainingRun(string outcome, double seconds)
    {
        _retrainingRuns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _retrainingSeconds.Record(seconds);
    }

    public void ModelDownloaded(long version) => _downloads.Add(1, new KeyValuePair<string, object?>("version", version));
}
