using System.Diagnostics.Metrics;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// The server's instruments (meter "OnDeviceReco.Server"), readable with dotnet-counters or any OpenTelemetry
/// exporter. Running totals are kept too, for the stats endpoint.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "OnDeviceReco.Server";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _stored;
    private readonly Counter<long> _alreadyStored;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _ingestSeconds;
    private long _storedTotal;
    private long _alreadyStoredTotal;
    private long _replayedTotal;
    private long _rejectedTotal;

    public ServerMetrics()
    {
        _stored = _meter.CreateCounter<long>("reco.events.stored", "{event}", "Events stored for the first time.");
        _alreadyStored = _meter.CreateCounter<long>("reco.events.already_stored", "{event}", "Events received again and not stored twice.");
        _batches = _meter.CreateCounter<long>("reco.batches", "{batch}", "Batches acknowledged (tag replayed=true for idempotent repeats).");
        _rejected = _meter.CreateCounter<long>("reco.requests.rejected", "{request}", "Requests refused, by status code.");
        _ingestSeconds = _meter.CreateHistogram<double>("reco.ingest.duration", "s", "Time to decode, validate and store a batch.");
    }

    public long StoredTotal => Interlocked.Read(ref _storedTotal);
    public long AlreadyStoredTotal => Interlocked.Read(ref _alreadyStoredTotal);
    public long ReplayedTotal => Interlocked.Read(ref _replayedTotal);
    public long RejectedTotal => Interlocked.Read(ref _rejectedTotal);

    public void Ingested(int stored, int alreadyStored, bool replayed, double seconds)
    {
        _stored.Add(stored);
        _alreadyStored.Add(alreadyStored);
        _batches.Add(1, new KeyValuePair<string, object?>("replayed", replayed));
        _ingestSeconds.Record(seconds);
        Interlocked.Add(ref _storedTotal, stored);
        Interlocked.Add(ref _alreadyStoredTotal, alreadyStored);
        if (replayed)
        {
            Interlocked.Increment(ref _replayedTotal);
        }
    }

    public void Rejected(int status)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("status", status));
        Interlocked.Increment(ref _rejectedTotal);
    }

    public void Dispose() => _meter.Dispose();
}
