using Microsoft.Extensions.Logging;
using OnDeviceReco.Storage;

namespace OnDeviceReco;

// Erasure: the device's files, then the server's copy, which a sync asks for under the erased identity. What is
// owed lives in ErasureRequests, written before anything is deleted, so neither a crash nor a missing network
// loses an erasure.
internal sealed partial class BehaviorStore
{
    /// <summary>
    /// Deletes every event, item and state row and every file of the database (WAL included, overwritten first), then
    /// starts an empty store: sequence ids restart at 1 and the device id is new. The consent choice is kept. Events
    /// tracked before the call are erased too. When this identity may have reached a sync server, its erasure there
    /// is owed from now on (<see cref="PendingServerErasures"/>) and asked for at the next sync, also after a restart.
    /// </summary>
    /// <exception cref="BehaviorStoreException">When what is owed cannot be written down (a full disk): nothing was erased.</exception>
    public void EraseAllData()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _readers.Exclusive(() => RunOnWriter(writer =>
        {
            var identity = Volatile.Read(ref _identity);
            bool toServer = KeyValue.Get(writer.Database, KeyValue.ServerContact) is not null
                || KeyValue.Get(writer.Database, KeyValue.SyncCredential) is not null;
            // Written down before the database is touched: a crash from here on finishes the erasure at the next open.
            Owe([.. ErasureRequests.Read(_options.DatabasePath), new ErasureRequest(identity.DeviceId, identity.Secret, toServer)]);
            writer.Database.Dispose();
            var fresh = StartAfresh(_options, _consent);
            Volatile.Write(ref _identity, DeviceIdentity.Ensure(fresh));
            Interlocked.Increment(ref _generation);
            writer.ReplaceDatabase(fresh);
            ForgetLocalErasures(_options);
        }));
        LogErased(_logger, _options.DatabasePath);
    }

    /// <summary>Erased identities whose erasure the server has not confirmed yet, oldest first.</summary>
    internal IReadOnlyList<ErasureRequest> PendingServerErasures => ErasureRequests.Read(_options.DatabasePath).Where(r => r.ToServer).ToList();

    /// <summary>The server confirmed the erasure of <paramref name="deviceId"/> (or refused it for good): nothing more is owed for it.</summary>
    internal void ServerErasureSettled(string deviceId) =>
        RunOnWriter(_ => Owe([.. ErasureRequests.Read(_options.DatabasePath).Where(r => r.DeviceId != deviceId)]));

    /// <summary>
    /// The server refuses this identity for good: it was erased (this store is a backup restored from before, or a
    /// copy). A new identity takes over; the events and attribute changes still waiting stay on the device and are never
    /// sent, since the user erased them from the server; what is tracked from now on syncs under the new identity.
    /// </summary>
    /// <returns>How many events will not be sent.</returns>
    internal long RetireIdentity(string erasedDeviceId)
    {
        long kept = 0;
        _readers.Exclusive(() => RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            if (KeyValue.Get(database, KeyValue.DeviceId) != erasedDeviceId)
            {
                return; // retired already
            }
            kept = database.QueryInt64($"SELECT count(*) FROM events WHERE sync_state = {(int)SyncState.Pending}");
            database.Execute($"UPDATE events SET sync_state = {(int)SyncState.LocalOnly} WHERE sync_state = {(int)SyncState.Pending}");
            KeepAttributesLocal(database);
            foreach (string key in (string[])[KeyValue.DeviceId, KeyValue.DeviceSecret, KeyValue.SyncCredential, KeyValue.ServerContact])
            {
                database.Execute("DELETE FROM kv WHERE key = ?1", key);
            }
            Volatile.Write(ref _identity, DeviceIdentity.Ensure(database));
        })));
        LogRetired(_logger, kept);
        return kept;
    }

    /// <summary>
    /// Finishes an erasure a crash cut short: when the database opened still holds an identity the erasure list names,
    /// its files are deleted now, before anything reads them (the consent choice carries over, as in <see cref="EraseAllData"/>).
    /// </summary>
    private static SqliteDatabase FinishInterruptedErasure(SqliteDatabase database, StoreOptions options)
    {
        var owed = ErasureRequests.Read(options.DatabasePath);
        if (owed.Count == 0)
        {
            return database;
        }
        string? id = KeyValue.Get(database, KeyValue.DeviceId);
        if (id is null || owed.All(r => r.DeviceId != id))
        {
            return database;
        }
        int consent = (int)ReadConsent(database);
        database.Dispose();
        var fresh = StartAfresh(options, consent);
        ForgetLocalErasures(options);
        return fresh;
    }

    /// <summary>
    /// Drops the entries owed to this device alone, now done. Best effort: an entry left behind names an identity no
    /// database holds any more, so it changes nothing, and the next rewrite drops it.
    /// </summary>
    private static void ForgetLocalErasures(StoreOptions options)
    {
        try
        {
            ErasureRequests.Write(options.DatabasePath, [.. ErasureRequests.Read(options.DatabasePath).Where(r => r.ToServer)]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Overwrites and deletes the database's files, then opens an empty store that keeps <paramref name="consent"/>.</summary>
    private static SqliteDatabase StartAfresh(StoreOptions options, int consent)
    {
        DatabaseFiles.ShredAll(options.DatabasePath);
        var fresh = StoreOpener.OpenConfigured(options);
        StoreSchema.Migrate(fresh);
        KeyValue.Set(fresh, KeyValue.Consent, consent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return fresh;
    }

    private void Owe(IReadOnlyList<ErasureRequest> requests) => Owe(_options, requests);

    private static void Owe(StoreOptions options, IReadOnlyList<ErasureRequest> requests)
    {
        try
        {
            ErasureRequests.Write(options.DatabasePath, requests);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BehaviorStoreException(e is IOException io && DiskFull(io) ? StoreErrorKind.DiskFull : StoreErrorKind.Io,
                $"The erasure could not be written down, so nothing was erased: {e.Message}", e);
        }
    }

    // ENOSPC (28) on Unix, ERROR_DISK_FULL (112) / ERROR_HANDLE_DISK_FULL (39) on Windows.
    private static bool DiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 39 or 112;

    [LoggerMessage(Level = LogLevel.Information, Message = "All behaviour data erased from '{Path}'.")]
    private static partial void LogErased(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server refuses this device's identity: it was erased (a store restored from before the erasure?). A new identity takes over; {Kept} events waiting to sync stay on this device and are never sent.")]
    private static partial void LogRetired(ILogger logger, long kept);
}
