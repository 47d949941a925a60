using System.Globalization;
using OnDeviceReco.Protocol.Events;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Storage;

namespace OnDeviceReco;

// User attributes: categorical facts the app knows about a user (platform, locale, age band…), one value per key.
// Stored in the same file, under the same consent as events: revoked records nothing, local-only never syncs,
// EraseAllData deletes them with the file. Writes are rare, so they are written synchronously on the writer.
internal sealed partial class BehaviorStore
{
    /// <summary>
    /// Sets <paramref name="key"/> of <paramref name="userId"/> to <paramref name="value"/> (replacing an earlier
    /// value), durably before returning.
    /// </summary>
    /// <returns><see cref="TrackOutcome.Accepted"/>, or <see cref="TrackOutcome.ConsentRevoked"/> (nothing was recorded).</returns>
    /// <exception cref="InvalidEventException">When an argument breaks the attribute contract, or the user already has
    /// <see cref="InputLimits.MaxUserAttributes"/> other attributes; nothing is recorded.</exception>
    public TrackOutcome SetUserAttribute(string userId, string key, string value)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        Throw(AttributeContract.CheckKey(key) ?? AttributeContract.CheckValue(value));
        var consent = (ConsentState)_consent;
        if (consent == ConsentState.Revoked)
        {
            Interlocked.Increment(ref _droppedNoConsent);
            return TrackOutcome.ConsentRevoked;
        }
        long nowMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        EventViolation? tooMany = null;
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            long others = database.QueryFirst(
                "SELECT count(*) FROM user_attributes WHERE user_id = ?1 AND key <> ?2 AND value IS NOT NULL", static row => row.ColumnInt64(0), userId, key);
            tooMany = AttributeContract.CheckCount((int)others);
            if (tooMany is null)
            {
                Write(database, userId, key, value, nowMs, consent);
            }
        }));
        Throw(tooMany);
        return TrackOutcome.Accepted;
    }

    /// <summary>
    /// Removes <paramref name="key"/> from <paramref name="userId"/>, durably before returning; the removal syncs
    /// like a change (with consent), so the server forgets the value too. Allowed under every consent state.
    /// </summary>
    /// <returns>True when the user had the attribute.</returns>
    /// <exception cref="InvalidEventException">When an argument is invalid.</exception>
    public bool RemoveUserAttribute(string userId, string key)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        Throw(AttributeContract.CheckKey(key));
        long nowMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        bool removed = false;
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            long state = database.QueryFirst("SELECT sync_state FROM user_attributes WHERE user_id = ?1 AND key = ?2 AND value IS NOT NULL",
                static row => row.ColumnInt64(0) + 1, userId, key) - 1;
            removed = state >= 0;
            if (state == (long)SyncState.LocalOnly)
            {
                // The server never had it: nothing to tell it.
                database.Execute("DELETE FROM user_attributes WHERE user_id = ?1 AND key = ?2", userId, key);
            }
            else if (removed)
            {
                Write(database, userId, key, null, nowMs, (ConsentState)_consent);
            }
        }));
        return removed;
    }

    /// <summary>The user's attributes, by key (empty for an unknown user).</summary>
    public IReadOnlyDictionary<string, string> GetUserAttributes(string userId)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        return Read(database => database.Query(
                "SELECT key, value FROM user_attributes WHERE user_id = ?1 AND value IS NOT NULL ORDER BY key",
                static row => (Key: row.ColumnText(0)!, Value: row.ColumnText(1)!), userId)
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));
    }

    /// <summary>The user's most recent distinct searches (<see cref="EventType.Search"/> events), newest first.</summary>
    internal IReadOnlyList<string> GetRecentSearches(string userId, int count) =>
        Read(database => database.Query(
            $"SELECT item_id FROM events WHERE user_id = ?1 AND type = {(int)EventType.Search} GROUP BY item_id ORDER BY max(seq) DESC LIMIT ?2",
            static row => row.ColumnText(0)!, userId, count));

    /// <summary>How many attribute changes (sets and removals) wait to be synced.</summary>
    public long UnsyncedAttributeChanges =>
        Read(database => database.QueryInt64($"SELECT count(*) FROM user_attributes WHERE sync_state = {(int)SyncState.Pending}"));

    /// <summary>Attribute changes waiting to be synced (never local-only ones), oldest first.</summary>
    internal IReadOnlyList<AttributeChange> GetUnsyncedAttributeChanges(int count) =>
        Read(database => database.Query(
            $"SELECT change_seq, ts_ms, user_id, key, value FROM user_attributes WHERE sync_state = {(int)SyncState.Pending} ORDER BY change_seq LIMIT ?1",
            static row => new AttributeChange(row.ColumnInt64(0), row.ColumnInt64(1), row.ColumnText(2)!, row.ColumnText(3)!, row.ColumnText(4)),
            count));

    /// <summary>
    /// Marks acknowledged changes synced — only where the row still holds that change (the app may have set the key
    /// again meanwhile; that newer change stays pending) — and drops removals the server now knows.
    /// </summary>
    internal void MarkAttributesSynced(IReadOnlyList<AttributeChange> changes) =>
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            foreach (var change in changes)
            {
                database.Execute(
                    $"UPDATE user_attributes SET sync_state = {(int)SyncState.Synced} WHERE user_id = ?1 AND key = ?2 AND change_seq = ?3 AND sync_state = {(int)SyncState.Pending}",
                    change.UserId, change.Key, change.Sequence);
            }
            database.Execute($"DELETE FROM user_attributes WHERE value IS NULL AND sync_state = {(int)SyncState.Synced}");
        }));

    /// <summary>
    /// Called with the highest change number the server holds for this device. When it is above this store's counter
    /// the numbering went back — the store was restored from a backup (same device id, older counter) — and every
    /// change numbered below it would be taken by the server for an old one and dropped while this device marks it
    /// synced. So the counter jumps past it and every attribute this store holds is numbered anew above it (pending
    /// again unless local-only): what this device holds wins over what it had set before the restore.
    /// </summary>
    /// <returns>How many attributes were numbered anew (0 when the numbering was fine).</returns>
    internal int CatchUpAttributeNumbers(long serverHighest)
    {
        int renumbered = 0;
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            long counter = long.Parse(KeyValue.Get(database, KeyValue.AttributeChangeSequence) ?? "0", CultureInfo.InvariantCulture);
            if (serverHighest <= counter)
            {
                return;
            }
            var rows = database.Query("SELECT user_id, key, sync_state FROM user_attributes ORDER BY change_seq",
                static row => (User: row.ColumnText(0)!, Key: row.ColumnText(1)!, State: row.ColumnInt64(2)));
            long next = serverHighest;
            foreach (var row in rows)
            {
                long state = row.State == (long)SyncState.LocalOnly ? row.State : (long)SyncState.Pending;
                database.Execute("UPDATE user_attributes SET change_seq = ?1, sync_state = ?2 WHERE user_id = ?3 AND key = ?4",
                    ++next, state, row.User, row.Key);
            }
            KeyValue.Set(database, KeyValue.AttributeChangeSequence, next.ToString(CultureInfo.InvariantCulture));
            renumbered = rows.Count;
        }));
        return renumbered;
    }

    private static void Write(SqliteDatabase database, string userId, string key, string? value, long nowMs, ConsentState consent)
    {
        long sequence = long.Parse(KeyValue.Get(database, KeyValue.AttributeChangeSequence) ?? "0", CultureInfo.InvariantCulture) + 1;
        KeyValue.Set(database, KeyValue.AttributeChangeSequence, sequence.ToString(CultureInfo.InvariantCulture));
        var state = consent is ConsentState.LocalOnly or ConsentState.Revoked ? SyncState.LocalOnly : SyncState.Pending;
        database.Execute("""
            INSERT INTO user_attributes(user_id, key, value, change_seq, ts_ms, sync_state) VALUES(?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT(user_id, key) DO UPDATE SET value = excluded.value, change_seq = excluded.change_seq,
                ts_ms = excluded.ts_ms, sync_state = excluded.sync_state
            """, userId, key, value, sequence, nowMs, (long)state);
    }

    /// <summary>Marks every pending attribute change never to be synced (consent revoked or local only).</summary>
    private static void KeepAttributesLocal(SqliteDatabase database) =>
        database.Execute($"UPDATE user_attributes SET sync_state = {(int)SyncState.LocalOnly} WHERE sync_state = {(int)SyncState.Pending}");

    private static void Throw(EventViolation? violation)
    {
        if (violation is not null)
        {
            throw new InvalidEventException(violation.Field, violation.Reason, violation.Message);
        }
    }
}
