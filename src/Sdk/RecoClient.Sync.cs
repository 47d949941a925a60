using Microsoft.Extensions.Logging;
using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Sync;

namespace OnDeviceReco;

// Sync: feedback up, models down. One sync runs at a time; the schedule and manual calls share the gate.
public sealed partial class RecoClient
{
    private SyncClient? _sync;
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private CancellationTokenSource? _scheduleStop;
    private Task? _schedule;
    private SyncResult? _lastSync;
    private string? _exposureTag; // of the table in use: the server answers 304 while it is current

    /// <summary>The outcome of the most recent sync, or null before the first.</summary>
    public SyncResult? LastSync => Volatile.Read(ref _lastSync);

    /// <summary>Stored events waiting for the next sync; events kept on the device by the consent choice are not counted.</summary>
    public long UnsyncedEvents => _store.UnsyncedEvents;

    /// <summary>User attribute changes (sets and removals) waiting for the next sync.</summary>
    public long UnsyncedAttributeChanges => _store.UnsyncedAttributeChanges;

    /// <summary>
    /// Sends every unsynced event (with consent only), then fetches, verifies and hot-swaps a newer model if the
    /// server has one. Never throws for network or server failures: they are in the result, and the next sync
    /// resumes where this one stopped.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the client was created without <see cref="RecoClientOptions.Sync"/>.</exception>
    public async Task<SyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        var sync = _sync ?? throw new InvalidOperationException("Sync is not configured (RecoClientOptions.Sync).");
        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await SyncOnceAsync(sync, cancellationToken).ConfigureAwait(false);
            if (result.Status == SyncStatus.Completed && sync.Options.DownloadModels && _verifier is not null)
            {
                result = result with { ExposureItems = await RefreshExposureAsync(sync, _verifier, cancellationToken).ConfigureAwait(false) };
            }
            Volatile.Write(ref _lastSync, result);
            return result;
        }
        finally
        {
            _syncGate.Release();
        }
    }

    /// <summary>Blocking <see cref="SyncAsync"/>.</summary>
    public SyncResult Sync() => SyncAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Erases the device's data (<see cref="EraseAllData"/>), then asks the server to erase what it holds under the
    /// identity just erased, and under any erased earlier whose erasure is still owed, and reports whether it did:
    /// <see cref="SyncStatus.Completed"/> with <see cref="SyncResult.ErasuresPending"/> 0 when nothing of the erased
    /// identities is left on the server. When the server cannot be reached (<see cref="SyncStatus.Unreachable"/>) the
    /// erasure stays owed and the next sync asks again, also after a restart. Sends no events and needs no consent: it
    /// sends only the erased identity's id and the secret that proves it.
    /// </summary>
    /// <exception cref="BehaviorStoreException">When the erasure cannot be written down (a full disk): nothing was erased.</exception>
    public async Task<SyncResult> EraseAllDataAsync(CancellationToken cancellationToken = default)
    {
        await Task.Run(EraseAllData, cancellationToken).ConfigureAwait(false);
        if (_sync is not { } sync)
        {
            return new SyncResult(SyncStatus.Unreachable, 0, 0, 0, 0, Model?.ModelVersion, false, null,
                "Sync is not configured (RecoClientOptions.Sync); the server's erasure is owed until it is.", null)
            { ErasuresPending = _store.PendingServerErasures.Count };
        }
        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int attemptsBefore = sync.Attempts;
            var erasure = await sync.SendErasuresAsync(cancellationToken).ConfigureAwait(false);
            var failure = erasure.Failure;
            var status = failure is null ? SyncStatus.Completed : failure.Permanent ? SyncStatus.Refused : SyncStatus.Unreachable;
            return new SyncResult(status, 0, 0, 0, sync.Attempts - attemptsBefore, Model?.ModelVersion, false, failure?.Status, failure?.Error, failure?.RetryAfter)
            { ErasedOnServer = erasure.Erased, ErasuresPending = erasure.Pending };
        }
        finally
        {
            _syncGate.Release();
        }
    }

    /// <summary>Erasures owed first (whatever the consent: the user asked for them), then the events, attributes and model.</summary>
    private async Task<SyncResult> SyncOnceAsync(SyncClient sync, CancellationToken cancellationToken)
    {
        int attemptsBefore = sync.Attempts;
        var erasure = await sync.SendErasuresAsync(cancellationToken).ConfigureAwait(false);
        SyncResult result;
        if (erasure.Failure is { Permanent: false } owed)
        {
            result = new SyncResult(SyncStatus.Unreachable, 0, 0, 0, sync.Attempts - attemptsBefore, Model?.ModelVersion, false, owed.Status,
                "An erasure on the server is still owed: " + owed.Error, owed.RetryAfter);
        }
        else
        {
            result = await SyncEventsAsync(sync, attemptsBefore, cancellationToken).ConfigureAwait(false);
            if (erasure.Failure is { } refused && result.Status == SyncStatus.Completed)
            {
                result = result with { Status = SyncStatus.Refused, HttpStatus = refused.Status, Error = "The server refused an erasure: " + refused.Error };
            }
        }
        return result with { ErasedOnServer = erasure.Erased, ErasuresPending = erasure.Pending };
    }

    private async Task<SyncResult> SyncEventsAsync(SyncClient sync, int attemptsBefore, CancellationToken cancellationToken)
    {
        if (_store.Consent != ConsentState.Granted)
        {
            return new SyncResult(SyncStatus.NoConsent, 0, 0, 0, sync.Attempts - attemptsBefore, Model?.ModelVersion, false, null, "Consent is not granted; nothing was sent.", null);
        }
        string identity = _store.DeviceId;
        int attributesSent = 0;
        var upload = await sync.UploadAsync(cancellationToken).ConfigureAwait(false);
        if (upload.Failure is { Status: 410 } gone)
        {
            long kept = _store.RetireIdentity(identity);
            return Result(SyncStatus.Refused, upload, false, gone.AsRefused(
                $"The server erased this device's identity ({gone.Error}): it is a store restored from before an erasure, or a copy. "
                + $"Its {kept} unsynced events stay on this device and are never sent; a new identity syncs what is tracked from now on."));
        }
        if (upload.Failure is { } failed)
        {
            var status = _store.Consent != ConsentState.Granted ? SyncStatus.NoConsent
                : failed.Permanent ? SyncStatus.Refused : SyncStatus.Unreachable;
            return Result(status, upload, false, failed);
        }
        attributesSent = await sync.UploadAttributesAsync(cancellationToken).ConfigureAwait(false);
        if (!sync.Options.DownloadModels)
        {
            return Result(SyncStatus.Completed, upload, false, null);
        }
        var (release, releaseFailure) = await sync.LatestModelAsync(cancellationToken).ConfigureAwait(false);
        if (releaseFailure is not null)
        {
            return Result(releaseFailure.Permanent ? SyncStatus.Refused : SyncStatus.Unreachable, upload, false, releaseFailure);
        }
        if (release is null || release.ModelVersion == Model?.ModelVersion)
        {
            RememberArm(release?.Arm);
            return Result(SyncStatus.Completed, upload, false, null);
        }
        var (directory, downloadFailure) = await sync.DownloadAsync(release, cancellationToken).ConfigureAwait(false);
        if (directory is null)
        {
            RememberArm(null); // the server moved this device elsewhere; until its model is in, it is on no arm
            return Result(SyncStatus.ModelFailed, upload, false, downloadFailure);
        }
        try
        {
            LoadModel(directory);
            RememberArm(release.Arm);
            ModelFiles.Prune(sync.ModelDirectory);
            return Result(SyncStatus.Completed, upload, true, null);
        }
        catch (ModelLoadException e)
        {
            Directory.Delete(directory, recursive: true);
            RememberArm(null);
            _logger.LogWarning("Model v{Version} from the server was refused: {Reason}", release.ModelVersion, e.Message);
            return Result(SyncStatus.ModelFailed, upload, false, HttpOutcome.Refused(e.Message));
        }

        SyncResult Result(SyncStatus status, UploadOutcome sent, bool updated, HttpOutcome? failure) =>
            new(status, sent.Sent, sent.AlreadyStored, sent.Batches, sync.Attempts - attemptsBefore, Model?.ModelVersion, updated,
                failure?.Status, failure?.Error, failure?.RetryAfter, sent.SetAside, sent.SetAsideReason)
            { AttributeChangesSent = attributesSent, EventsRenumbered = sent.Renumbered, Arm = Arm };
    }

    /// <summary>
    /// Fetches the population's exposure table, verifies it against the trusted model keys, keeps it and explores
    /// against it; returns its item count, or null when there was none or it failed (logged: exploration goes on
    /// with the previous table, and the sync's own outcome stands).
    /// </summary>
    private async Task<int?> RefreshExposureAsync(SyncClient sync, BundleVerifier verifier, CancellationToken cancellationToken)
    {
        var (signed, unchanged, failure) = await sync.ExposureAsync(Volatile.Read(ref _exposureTag), cancellationToken).ConfigureAwait(false);
        if (unchanged)
        {
            return _recommender.ExposureItems;
        }
        if (signed is null)
        {
            if (failure is not null)
            {
                _logger.LogInformation("The exposure table was not fetched (status {Status}): {Reason}", failure.Status ?? 0, failure.Error ?? "");
            }
            return null;
        }
        try
        {
            var counts = SignedExposure.Open(signed, verifier);
            ExposureFile.Write(sync.ModelDirectory, signed);
            UseExposure(counts, signed);
            return counts.ShownTo.Count;
        }
        catch (ProtocolFormatException e)
        {
            _logger.LogWarning("The exposure table from the server was refused: {Reason}", e.Message);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "The exposure table could not be kept on disk; it is not used");
            return null;
        }
    }

    /// <summary>Explores against a verified table from now on; its tag lets the next sync skip an unchanged download.</summary>
    private void UseExposure(ExposureCounts counts, byte[] signed)
    {
        _recommender.UseExposure(counts);
        Volatile.Write(ref _exposureTag, SignedExposure.EntityTag(signed));
    }

    /// <summary>The exposure table kept by an earlier sync, verified again before use; a refused one is deleted.</summary>
    private void LoadKeptExposure(string modelDirectory)
    {
        if (_verifier is null)
        {
            return;
        }
        try
        {
            if (ExposureFile.Read(modelDirectory, WireLimits.Default.MaxDecodedBytes) is { } signed)
            {
                UseExposure(SignedExposure.Open(signed, _verifier), signed);
            }
        }
        catch (ProtocolFormatException e)
        {
            _logger.LogWarning("The kept exposure table was refused and is deleted: {Reason}", e.Message);
            ExposureFile.Delete(modelDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "The kept exposure table could not be read; exploration waits for the next sync");
        }
    }

    private void StartSync(SyncOptions options)
    {
        _sync = new SyncClient(_store, options, _logger);
        LoadKeptExposure(_sync.ModelDirectory);
        LoadKeptArm();
        // A model downloaded and verified before a restart serves again at once; it is verified again on load.
        foreach (var (version, directory) in ModelFiles.Versions(_sync.ModelDirectory))
        {
            try
            {
                LoadModel(directory);
                break;
            }
            catch (ModelLoadException e)
            {
                _logger.LogWarning("Stored model v{Version} was refused and is skipped: {Reason}", version, e.Message);
            }
        }
        if (options.Interval is { } interval)
        {
            _scheduleStop = new CancellationTokenSource();
            _schedule = Task.Run(() => RunScheduleAsync(interval, _scheduleStop.Token));
        }
    }

    private async Task RunScheduleAsync(TimeSpan interval, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var wait = LastSync?.RetryAfter is { } asked && asked > interval ? asked : interval;
            try
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
                await SyncAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is BehaviorStoreException or ObjectDisposedException or IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(e, "Scheduled sync failed; the next one retries");
            }
        }
    }

    private void StopSync()
    {
        if (_scheduleStop is not null)
        {
            _scheduleStop.Cancel();
            try
            {
                _schedule?.Wait();
            }
            catch (AggregateException)
            {
                // Cancelled mid-request: nothing was marked synced that the server did not acknowledge.
            }
            _scheduleStop.Dispose();
        }
        _sync?.Dispose();
    }
}
