using OnDeviceReco.Export;
using OnDeviceReco.Sync;

namespace OnDeviceReco;

// The user's rights of access and portability (GDPR articles 15 and 20): what the device holds, and what the server
// holds under this device, each as documented JSON (docs/privacy.md). The app never needs the device's token: the
// SDK fetches the server's part itself.
public sealed partial class RecoClient
{
    /// <summary>
    /// Writes everything the device's store holds about <paramref name="userId"/> — or about every user when null — to
    /// <paramref name="destination"/> as UTF-8 JSON (schema in docs/privacy.md): every event with its sync state, the
    /// user's attributes and onboarding answers, and the device's id, consent, model version, experiment arm and server
    /// erasures still owed. Events tracked before the call are in it. Blocks on SQLite reads; the stream is left open.
    /// </summary>
    /// <exception cref="InvalidEventException">When <paramref name="userId"/> is not a valid id.</exception>
    /// <exception cref="BehaviorStoreException">When the database cannot be read.</exception>
    public void ExportData(Stream destination, string? userId = null) =>
        _store.ExportJson(destination, userId, new DeviceFacts(Model?.ModelVersion, Arm));

    /// <summary><see cref="ExportData"/> off the caller's thread.</summary>
    public Task ExportDataAsync(Stream destination, string? userId = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => ExportData(destination, userId), cancellationToken);

    /// <summary>
    /// Fetches the server's export of what it holds under this device (its events, attributes and batch records, as
    /// stored: user ids may be pseudonyms there) and writes it to <paramref name="destination"/> as UTF-8 JSON. Needs
    /// no consent and sends no events: only the device's id and the secret that proves it. A device that never
    /// contacted a server asks nothing (<see cref="ServerExportStatus.NothingOnServer"/>). Waits for a sync running.
    /// Never throws for network or server failures: they are in the result, and nothing is written then.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the client was created without <see cref="RecoClientOptions.Sync"/>.</exception>
    public async Task<ServerExportResult> ExportServerDataAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var sync = _sync ?? throw new InvalidOperationException("Sync is not configured (RecoClientOptions.Sync).");
        if (_store.GetState(Storage.KeyValue.ServerContact) is null && _store.GetState(Storage.KeyValue.SyncCredential) is null)
        {
            return new ServerExportResult(ServerExportStatus.NothingOnServer, 0, null, null);
        }
        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        HttpOutcome outcome;
        try
        {
            outcome = await sync.ServerExportAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _syncGate.Release();
        }
        if (outcome.Success)
        {
            await destination.WriteAsync(outcome.Body, cancellationToken).ConfigureAwait(false);
            return new ServerExportResult(ServerExportStatus.Completed, outcome.Body!.Length, null, null);
        }
        var status = outcome.Status == 410 ? ServerExportStatus.Erased
            : outcome.Permanent ? ServerExportStatus.Refused : ServerExportStatus.Unreachable;
        return new ServerExportResult(status, 0, outcome.Status, outcome.Error);
    }
}
