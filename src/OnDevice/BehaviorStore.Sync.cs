using OnDeviceReco.Queries;
using OnDeviceReco.Storage;

namespace OnDeviceReco;

// What the sync client needs from the store: the unsynced events in order, marking them synced once the
// server acknowledged them, and a little persistent state (the device's token).
internal sealed partial class BehaviorStore
{
    /// <summary>
    /// Events after <paramref name="afterSequence"/> waiting to be synced (never local-only ones), oldest first;
    /// call <see cref="Flush"/> first to include queued ones.
    /// </summary>
    internal IReadOnlyList<BehaviorEvent> GetUnsyncedEvents(long afterSequence, int count) =>
        Read(database => EventsQuery.Unsynced(database, afterSequence, count));

    /// <summary>How many stored events wait to be synced.</summary>
    public long UnsyncedEvents => Read(database => database.QueryInt64($"SELECT count(*) FROM events WHERE sync_state = {(int)SyncState.Pending}"));

    /// <summary>
    /// Records the server's acknowledgement of the pending events from <paramref name="firstSequence"/> through
    /// <paramref name="throughSequence"/>, durably, in one transaction: the events it holds with other content under
    /// the same numbers (<paramref name="conflicting"/>) are numbered anew above everything — this store's counter,
    /// its events and <paramref name="serverHighest"/> — in their order and stay pending; every other one is marked
    /// synced. A server ahead of the counter also moves the counter past it, so later events are numbered after
    /// what the server holds. That happens when the store was restored from a backup: same device id, counter gone back.
    /// </summary>
    /// <returns>How many events were numbered anew.</returns>
    internal int AcknowledgeEvents(long firstSequence, long throughSequence, IReadOnlyList<long> conflicting, long serverHighest)
    {
        int renumbered = 0;
        RunOnWriter(writer =>
        {
            writer.Database.InTransaction(database =>
            {
                renumbered = EventNumbering.CatchUp(database, firstSequence, throughSequence, conflicting, serverHighest);
                database.Execute(
                    $"UPDATE events SET sync_state = {(int)SyncState.Synced} WHERE sync_state = {(int)SyncState.Pending} AND seq BETWEEN ?1 AND ?2",
                    firstSequence, throughSequence);
            });
            if (renumbered > 0)
            {
                writer.EventsChanged(); // reads cached at the old numbers are stale now
            }
        });
        return renumbered;
    }

    /// <summary>
    /// Sets pending events aside for good because the server refused them (they break the event contract): they
    /// stay on the device but are never sent again, so the events after them keep syncing. Counted, persisted,
    /// in <see cref="StoreStatistics.RefusedBySync"/>. Returns how many were set aside.
    /// </summary>
    internal int SetAsideRefused(IReadOnlyCollection<long> sequences)
    {
        int changed = 0;
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            changed = 0;
            foreach (long sequence in sequences)
            {
                changed += database.Execute(
                    $"UPDATE events SET sync_state = {(int)SyncState.Refused} WHERE sync_state = {(int)SyncState.Pending} AND seq = ?1", sequence);
            }
            long total = writer.RefusedBySyncTotal + changed;
            KeyValue.Set(database, KeyValue.SyncRefusedTotal, total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }));
        // Counted only once the transaction committed.
        _writer.AddRefusedBySync(changed);
        return changed;
    }

    /// <summary>The store's clock (the device's): what timestamps events and what the sync tells the server the time is.</summary>
    internal TimeProvider Clock => _options.TimeProvider;

    internal DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    /// <summary>The database file this store writes.</summary>
    public string DatabasePath => _options.DatabasePath;

    internal string? GetState(string key) => Read(database => KeyValue.Get(database, key));

    internal void SetState(string key, string value) => RunOnWriter(writer => KeyValue.Set(writer.Database, key, value));
}
