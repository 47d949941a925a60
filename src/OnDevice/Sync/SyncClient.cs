using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// Moves unsynced events to the server and newer models to the device. Events are marked synced only after
/// the server acknowledged exactly their range, so a crash, a lost answer or a dropped connection leads to a
/// resend, which the server recognises (batch id, then (device, sequence)) and stores once. Events the server
/// refuses for good are set aside, so one bad event never holds back the ones after it. Events the server holds
/// with other content under the same numbers (a store restored from a backup numbers again from where the backup
/// stood) are numbered anew above the server's highest and sent again in the same sync.
/// </summary>
internal sealed partial class SyncClient : IDisposable
{
    // Room for a full batch's conflicting sequence ids: 50,000 events (the most SyncOptions allows) at up to 9 bytes each.
    private const long MaxAckBytes = 512 * 1024;

    // An honest server cannot report an event renumbered above its highest as conflicting again, except while a
    // second copy of this store syncs under the same id: then numbers are raced for, and the sync stops after this many.
    private const int MaxRenumberRounds = 16;

    // The server's export of a full store: 500,000 events (StoreOptions.MaxRows) at about 300 bytes of JSON each.
    private const long MaxExportBytes = 256L * 1024 * 1024;
    private readonly BehaviorStore _store;
    private readonly SyncOptions _options;
    private readonly SyncHttp _http;
    private readonly SyncRequests _requests;
    private readonly DeviceSession _session;
    private readonly BatchEncoder _encoder;
    private readonly AttributeUploader _attributes;
    private readonly ServerErasure _erasure;
    private readonly ILogger _logger;

    public SyncClient(BehaviorStore store, SyncOptions options, ILogger logger)
    {
        options.Validate();
        _store = store;
        _options = options;
        _logger = logger;
        _http = new SyncHttp(options);
        _requests = new SyncRequests(options, store.Clock);
        _session = new DeviceSession(store, _http, _requests);
        _encoder = new BatchEncoder(store, options.MaxBatchBytes, options.Fields);
        _attributes = new AttributeUploader(store, _session, _requests);
        _erasure = new ServerErasure(store, _http, _requests);
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
        var progress = new UploadProgress(_options.MaxBatchEvents);
        Task marking = Task.CompletedTask;
        try
        {
            var current = _encoder.Next(progress.After, progress.MaxEvents);
            while (current is not null)
            {
                // The batch may have been read ahead before the user changed their mind: consent is checked
                // again right before anything leaves the device.
                if (_store.Consent != ConsentState.Granted)
                {
                    return progress.Outcome(HttpOutcome.Refused("Consent was withdrawn during the sync; nothing more was sent."));
                }
                var batch = current.Batch;
                var sending = _session.SendAsync(credential => _requests.PostEvents(current.Body, credential), MaxAckBytes, cancellationToken);
                int readAheadSize = progress.MaxEvents;
                var readingAhead = Task.Run(() => _encoder.Next(batch.LastSequence, readAheadSize), cancellationToken);
                var outcome = await sending.ConfigureAwait(false);
                var next = await readingAhead.ConfigureAwait(false); // observed on every path, used only after an acknowledgement
                if (outcome.Success)
                {
                    var (ack, unusable) = Acknowledgement(outcome, batch);
                    if (ack is null)
                    {
                        return progress.Outcome(unusable);
                    }
                    await marking.ConfigureAwait(false);
                    // Only events of this batch: a server's list cannot make the device move anything it did not send.
                    var conflicting = ack.ConflictingSequences.Intersect(batch.Events.Select(e => e.Sequence)).ToList();
                    var acknowledging = Task.Run(() => _store.AcknowledgeEvents(batch.FirstSequence, ack.AcceptedThrough, conflicting, ack.HighestSequence),
                        CancellationToken.None);
                    marking = acknowledging;
                    LogBatch(_logger, batch.Events.Count, batch.FirstSequence, batch.LastSequence, ack.AlreadyStored, ack.Replayed);
                    if (conflicting.Count == 0)
                    {
                        progress.Acknowledged(batch, ack, renumbered: 0);
                        current = next;
                        continue;
                    }
                    // Renumbered above everything, they are pending again after the events read ahead: read afresh.
                    int renumbered = await acknowledging.ConfigureAwait(false);
                    progress.Acknowledged(batch, ack, renumbered);
                    LogRenumbered(_logger, renumbered, ack.HighestSequence);
                    if (progress.RenumberRounds > MaxRenumberRounds)
                    {
                        return progress.Outcome(outcome.AsTransient("The server kept finding this device's sequence ids taken; the next sync goes on."));
                    }
                    current = _encoder.Next(progress.After, progress.MaxEvents);
                    continue;
                }
                if (!Recover(outcome, batch, progress))
                {
                    return progress.Outcome(outcome);
                }
                current = _encoder.Next(progress.After, progress.MaxEvents);
            }
            return progress.Outcome(null);
        }
        finally
        {
            // Whatever happened, acknowledged batches are marked before the sync reports.
            await marking.ConfigureAwait(false);
            if (progress.SetAside > 0)
            {
                LogSetAside(_logger, progress.SetAside, progress.SetAsideReason ?? "");
            }
        }
    }

    /// <summary>Asks the server for the erasures the store owes (<see cref="ServerErasure"/>); logs what is still owed.</summary>
    public async Task<ErasureOutcome> SendErasuresAsync(CancellationToken cancellationToken)
    {
        var outcome = await _erasure.SendAsync(cancellationToken).ConfigureAwait(false);
        if (outcome.Erased > 0)
        {
            LogErasedOnServer(_logger, outcome.Erased);
        }
        if (outcome.Failure is { } failure)
        {
            LogErasureFailed(_logger, failure.Status ?? 0, failure.Error ?? "", outcome.Pending);
        }
        return outcome;
    }

    /// <summary>Sends every pending user attribute change (see <see cref="AttributeUploader"/>); logs what stopped it.</summary>
    public async Task<int> UploadAttributesAsync(CancellationToken cancellationToken)
    {
        var (sent, supported, failure) = await _attributes.UploadAsync(cancellationToken).ConfigureAwait(false);
        if (!supported)
        {
            LogAttributesUnsupported(_logger);
        }
        else if (failure is not null)
        {
            LogAttributesFailed(_logger, failure.Status ?? 0, failure.Error ?? "");
        }
        return sent;
    }

    /// <summary>The release the server serves, null when it has none, or the failure.</summary>
    public async Task<(ModelRelease? Release, HttpOutcome? Failure)> LatestModelAsync(CancellationToken cancellationToken)
    {
        var outcome = await _session.SendAsync(credential => _requests.GetLatestModel(credential), MaxAckBytes, cancellationToken).ConfigureAwait(false);
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
            return (null, outcome.AsRefused("Unreadable model release: " + e.Message));
        }
    }

    /// <summary>
    /// The server's signed exposure table (<c>/v1/exposure</c>) as sent, not yet verified. Null with
    /// <c>Unchanged</c> when the server still has the table whose entity tag is <paramref name="keptTag"/> (304: nothing
    /// downloaded), null when the server has none (404: a server from before exposure tables), or the failure.
    /// </summary>
    public async Task<(byte[]? Signed, bool Unchanged, HttpOutcome? Failure)> ExposureAsync(string? keptTag, CancellationToken cancellationToken)
    {
        var outcome = await _session.SendAsync(credential => _requests.GetUnlessUnchanged("v1/exposure", credential, keptTag),
            WireLimits.Default.MaxDecodedBytes, cancellationToken).ConfigureAwait(false);
        return outcome.Status switch
        {
            304 => (null, true, null),
            404 => (null, false, null),
            _ => outcome.Success ? (outcome.Body, false, null) : (null, false, outcome),
        };
    }

    /// <summary>
    /// Downloads a release's package, checks its size and hash against the release, and writes its files into a
    /// fresh directory (returned). The bundle's signature is checked by the caller's LoadModel, before any use.
    /// </summary>
    public async Task<(string? Directory, HttpOutcome? Failure)> DownloadAsync(ModelRelease release, CancellationToken cancellationToken)
    {
        var outcome = await _session.SendAsync(credential => _requests.Get($"v1/models/{release.ModelVersion}", credential),
            release.PackageBytes, cancellationToken).ConfigureAwait(false);
        if (!outcome.Success)
        {
            return (null, outcome);
        }
        byte[] body = outcome.Body!;
        if (body.Length != release.PackageBytes || Convert.ToHexStringLower(SHA256.HashData(body)) != release.PackageSha256)
        {
            return (null, outcome.AsTransient("The downloaded package does not match its release (size or SHA-256)."));
        }
        try
        {
            var package = WireCodec.DecodePackage(body);
            return (ModelFiles.WriteVersion(ModelDirectory, release.ModelVersion, package), null);
        }
        catch (ProtocolFormatException e)
        {
            return (null, outcome.AsRefused("Unreadable model package: " + e.Message));
        }
    }

    /// <summary>
    /// What the server holds under this device, as its JSON export (<c>GET /v1/devices/{id}/export</c>), or the failure.
    /// Only the id and the secret that proves it leave the device (registration, when the token is stale).
    /// </summary>
    public Task<HttpOutcome> ServerExportAsync(CancellationToken cancellationToken) =>
        _session.SendAsync(credential => _requests.Get($"v1/devices/{Uri.EscapeDataString(credential.DeviceId)}/export", credential),
            MaxExportBytes, cancellationToken);

    public void Dispose() => _http.Dispose();

    /// <summary>The acknowledgement of exactly <paramref name="batch"/>, or the failure to report instead.</summary>
    private static (BatchAck? Ack, HttpOutcome? Failure) Acknowledgement(HttpOutcome outcome, EventBatch batch)
    {
        try
        {
            var ack = WireCodec.DecodeAck(outcome.Body);
            return ack.BatchId == batch.BatchId && ack.AcceptedThrough == batch.LastSequence
                ? (ack, null)
                : (null, outcome.AsTransient("The acknowledgement does not match the batch sent."));
        }
        catch (ProtocolFormatException e)
        {
            // Not an answer from our server (a captive portal, a broken proxy): nothing is marked, retry later.
            return (null, outcome.AsTransient("Unreadable acknowledgement: " + e.Message));
        }
    }

    /// <summary>
    /// Whether a refused batch can be fixed and the upload go on: too large (413) halves the batch; events the
    /// server names as invalid are set aside; any other 400 halves the batch until the one event the server
    /// refuses is alone, and sets that one aside.
    /// </summary>
    private bool Recover(HttpOutcome outcome, EventBatch batch, UploadProgress progress)
    {
        int count = batch.Events.Count;
        switch (outcome.Status)
        {
            case 413 when count > 1:
                progress.MaxEvents = Math.Max(1, count / 2); // the server's limit is lower than ours
                return true;
            case 400:
                // Only events of this batch: a server's list cannot make the device drop anything it did not send.
                var inBatch = batch.Events.Select(e => e.Sequence).Intersect(outcome.InvalidSequences).ToList();
                if (inBatch.Count > 0)
                {
                    progress.SetAsideDone(_store.SetAsideRefused(inBatch), outcome.Error);
                    return true;
                }
                if (count > 1)
                {
                    progress.MaxEvents = Math.Max(1, count / 2);
                    return true;
                }
                progress.SetAsideDone(_store.SetAsideRefused([batch.FirstSequence]), outcome.Error);
                return true;
            default:
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The server erased what it held under {Count} erased identities of this device")]
    private static partial void LogErasedOnServer(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An erasure on the server did not finish (status {Status}): {Reason}; {Pending} still owed, asked for again at the next sync")]
    private static partial void LogErasureFailed(ILogger logger, int status, string reason, int pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "The server does not take user attributes yet (404); they stay on the device and sync once it does")]
    private static partial void LogAttributesUnsupported(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User attributes did not sync (status {Status}): {Reason}; the next sync retries")]
    private static partial void LogAttributesFailed(ILogger logger, int status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server holds other events under {Count} of this device's sequence ids (a store restored from a backup?); they were numbered anew above {Highest} and are sent again")]
    private static partial void LogRenumbered(ILogger logger, int count, long highest);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Synced {Count} events ({First}..{Last}); server already had {Already}, replayed {Replayed}")]
    private static partial void LogBatch(ILogger logger, int count, long first, long last, int already, bool replayed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server refused {Count} events for good; they were set aside and the rest synced. First reason: {Reason}")]
    private static partial void LogSetAside(ILogger logger, int count, string reason);
}
