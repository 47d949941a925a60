using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// Moves unsynced events to the server and newer models to the device. Events are marked synced only after
/// the server acknowledged exactly their range, so a crash, a lost answer or a dropped connection leads to a
/// resend, which the server recognises (batch id, then (device, sequence)) and stores once.
/// </summary>
internal sealed partial class SyncClient : IDisposable
{
    private const string CredentialKey = "sync_credential";
    private const long MaxAckBytes = 64 * 1024;
    private readonly BehaviorStore _store;
    private readonly SyncOptions _options;
    private readonly SyncHttp _http;
    private readonly ILogger _logger;

    public SyncClient(BehaviorStore store, SyncOptions options, ILogger logger)
    {
        options.Validate();
        _store = store;
        _options = options;
        _logger = logger;
        _http = new SyncHttp(options);
        ModelDirectory = options.ModelDirectory
            ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(store.DatabasePath))!, "models");
    }

    public string ModelDirectory { get; }

    /// <summary>The settings this client was made with.</summary>
    public SyncOptions Options => _options;

    public int Attempts => _http.Attempts;

    /// <summary>
    /// Sends every pending event, batch by batch, until none is left or a request fails. The next batch is read
    /// and encoded while the current one is in flight, and marking a batch synced overlaps the next request, so
    /// the device's work hides behind the server's.
    /// </summary>
    public async Task<UploadOutcome> UploadAsync(CancellationToken cancellationToken)
    {
        await _store.FlushAsync(cancellationToken).ConfigureAwait(false);
        var (credential, failure) = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            return new UploadOutcome(0, 0, 0, failure);
        }
        int sent = 0, already = 0, batches = 0;
        int maxEvents = _options.MaxBatchEvents;
        bool reRegistered = false;
        long after = 0;
        Task marking = Task.CompletedTask;
        var current = Prepare(credential.DeviceId, after, maxEvents);
        try
        {
            while (current is not null)
            {
                var batch = current.Value.Batch;
                byte[] body = current.Value.Body;
                // The batch may have been read ahead before the user changed their mind: consent is checked
                // again right before anything leaves the device.
                if (_store.Consent != ConsentState.Granted)
                {
                    return new UploadOutcome(sent, already, batches, new HttpOutcome(false, true, null, null, "Consent was withdrawn during the sync; nothing more was sent.", null));
                }
                var sending = _http.SendAsync(() => Post("v1/events", body, credential), MaxAckBytes, cancellationToken);
                string deviceId = credential.DeviceId;
                var preparing = Task.Run(() => Prepare(deviceId, batch.LastSequence, maxEvents), cancellationToken);
                var outcome = await sending.ConfigureAwait(false);
                if (outcome.Status == 413 && batch.Events.Count > 1)
                {
                    await preparing.ConfigureAwait(false);
                    maxEvents = Math.Max(1, batch.Events.Count / 2); // the server's limit is lower than ours: halve and go on
                    current = Prepare(credential.DeviceId, after, maxEvents);
                    continue;
                }
                if (outcome.Status == 401 && !reRegistered)
                {
                    // The server's token secret changed (or our credential was lost): ask for a new token once.
                    await preparing.ConfigureAwait(false);
                    reRegistered = true;
                    _store.SetState(CredentialKey, "");
                    (credential, failure) = await CredentialAsync(cancellationToken).ConfigureAwait(false);
                    if (credential is null)
                    {
                        return new UploadOutcome(sent, already, batches, failure);
                    }
                    current = Prepare(credential.DeviceId, after, maxEvents);
                    continue;
                }
                if (!outcome.Success)
                {
                    return new UploadOutcome(sent, already, batches, outcome);
                }
                BatchAck ack;
                try
                {
                    ack = WireCodec.DecodeAck(outcome.Body);
                }
                catch (ProtocolFormatException e)
                {
                    // Not an answer from our server (a captive portal, a broken proxy): nothing is marked, retry later.
                    return new UploadOutcome(sent, already, batches, outcome with { Success = false, Permanent = false, Error = "Unreadable acknowledgement: " + e.Message });
                }
                if (ack.BatchId != batch.BatchId || ack.AcceptedThrough != batch.LastSequence)
                {
                    return new UploadOutcome(sent, already, batches, outcome with { Success = false, Permanent = false, Error = "The acknowledgement does not match the batch sent." });
                }
                await marking.ConfigureAwait(false);
                long first = batch.FirstSequence;
                marking = Task.Run(() => _store.MarkSynced(first, ack.AcceptedThrough), CancellationToken.None);
                after = batch.LastSequence;
                sent += batch.Events.Count;
                already += ack.AlreadyStored;
                batches++;
                LogBatch(_logger, batch.Events.Count, batch.FirstSequence, batch.LastSequence, ack.AlreadyStored, ack.Replayed);
                current = await preparing.ConfigureAwait(false);
            }
            return new UploadOutcome(sent, already, batches, null);
        }
        finally
        {
            // Whatever happened, acknowledged batches are marked before the sync reports.
            await marking.ConfigureAwait(false);
        }
    }

    /// <summary>The release the server serves, null when it has none, or the failure.</summary>
    public async Task<(ModelRelease? Release, HttpOutcome? Failure)> LatestModelAsync(CancellationToken cancellationToken)
    {
        var (credential, failure) = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            return (null, failure);
        }
        var outcome = await _http.SendAsync(() => Get("v1/models/latest", credential), MaxAckBytes, cancellationToken).ConfigureAwait(false);
        if (outcome.Status == 404)
        {
            return (null, null);
        }
        if (!outcome.Success)
        {
            return (null, outcome);
        }
        try
        {
            return (WireCodec.DecodeRelease(outcome.Body), null);
        }
        catch (ProtocolFormatException e)
        {
            return (null, outcome with { Success = false, Permanent = true, Error = "Unreadable model release: " + e.Message });
        }
    }

    /// <summary>
    /// Downloads a release's package, checks its size and hash against the release, and writes its files into a
    /// fresh directory (returned). The bundle's signature is checked by the caller's LoadModel, before any use.
    /// </summary>
    public async Task<(string? Directory, HttpOutcome? Failure)> DownloadAsync(ModelRelease release, CancellationToken cancellationToken)
    {
        var (credential, failure) = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            return (null, failure);
        }
        var outcome = await _http.SendAsync(() => Get($"v1/models/{release.ModelVersion}", credential), release.PackageBytes, cancellationToken).ConfigureAwait(false);
        if (!outcome.Success)
        {
            return (null, outcome);
        }
        byte[] body = outcome.Body!;
        if (body.Length != release.PackageBytes || Convert.ToHexStringLower(SHA256.HashData(body)) != release.PackageSha256)
        {
            return (null, outcome with { Success = false, Permanent = false, Error = "The downloaded package does not match its release (size or SHA-256)." });
        }
        try
        {
            var package = WireCodec.DecodePackage(body);
            return (ModelFiles.WriteVersion(ModelDirectory, release.ModelVersion, package), null);
        }
        catch (ProtocolFormatException e)
        {
            return (null, outcome with { Success = false, Permanent = true, Error = "Unreadable model package: " + e.Message });
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<(DeviceCredential? Credential, HttpOutcome? Failure)> CredentialAsync(CancellationToken cancellationToken)
    {
        string deviceId = _store.DeviceId;
        if (_store.GetState(CredentialKey) is { Length: > 0 } saved && saved.Split('\n') is [var savedDevice, var token] && savedDevice == deviceId)
        {
            return (new DeviceCredential(deviceId, token), null);
        }
        byte[] body = WireCodec.Encode(new DeviceRegistration(deviceId));
        var outcome = await _http.SendAsync(() => Post("v1/devices", body, null), MaxAckBytes, cancellationToken).ConfigureAwait(false);
        if (!outcome.Success)
        {
            return (null, outcome);
        }
        try
        {
            var credential = WireCodec.DecodeCredential(outcome.Body);
            if (credential.DeviceId != deviceId || credential.Token.Contains('\n'))
            {
                return (null, outcome with { Success = false, Permanent = true, Error = "The server issued a credential for another device." });
            }
            _store.SetState(CredentialKey, deviceId + "\n" + credential.Token);
            return (credential, null);
        }
        catch (ProtocolFormatException e)
        {
            return (null, outcome with { Success = false, Permanent = true, Error = "Unreadable device credential: " + e.Message });
        }
    }

    /// <summary>The next batch after <paramref name="after"/>, encoded, or null when nothing is pending.</summary>
    private (EventBatch Batch, byte[] Body)? Prepare(string deviceId, long after, int maxEvents)
    {
        var events = _store.GetUnsyncedEvents(after, maxEvents);
        return events.Count == 0 ? null : Encode(deviceId, events);
    }

    private (EventBatch Batch, byte[] Body) Encode(string deviceId, IReadOnlyList<BehaviorEvent> events)
    {
        int count = events.Count;
        while (true)
        {
            var wire = new WireEvent[count];
            for (int i = 0; i < count; i++)
            {
                var e = events[i];
                wire[i] = new WireEvent(e.Sequence, e.Timestamp.ToUnixTimeMilliseconds(), e.UserId, e.ItemId, (int)e.Type, e.Value, e.Context);
            }
            var batch = EventBatch.Create(deviceId, wire);
            byte[] body = WireCodec.Encode(batch);
            if (body.Length <= _options.MaxBatchBytes || count == 1)
            {
                return (batch, body);
            }
            count = Math.Max(1, count / 2);
        }
    }

    private HttpRequestMessage Post(string path, byte[] body, DeviceCredential? credential)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
        return Authorize(request, credential);
    }

    private HttpRequestMessage Get(string path, DeviceCredential credential) => Authorize(new HttpRequestMessage(HttpMethod.Get, path), credential);

    private HttpRequestMessage Authorize(HttpRequestMessage request, DeviceCredential? credential)
    {
        request.Headers.Add("X-Api-Key", _options.ApiKey);
        if (credential is not null)
        {
            request.Headers.Add("X-Device-Id", credential.DeviceId);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Token);
        }
        return request;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Synced {Count} events ({First}..{Last}); server already had {Already}, replayed {Replayed}")]
    private static partial void LogBatch(ILogger logger, int count, long first, long last, int already, bool replayed);
}

/// <summary>What an upload did, and the failure that ended it early (null when everything pending was sent).</summary>
internal sealed record UploadOutcome(int Sent, int AlreadyStored, int Batches, HttpOutcome? Failure);
