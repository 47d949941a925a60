using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OnDeviceReco.Queries;
using OnDeviceReco.Storage;

namespace OnDeviceReco;

/// <summary>
/// The on-device behaviour store: one SQLite file holding the user's events, item metadata and SDK state.
/// <see cref="Track"/> validates and queues in memory and never waits on disk; one background writer
/// commits in batches. Every member is thread-safe. Apps reach it through <c>RecoClient</c>, which owns one: the store
/// is the engine behind the public API, not an API of its own.
/// </summary>
internal sealed partial class BehaviorStore : IDisposable, IAsyncDisposable
{
    private readonly StoreOptions _options;
    private readonly ILogger _logger;
    private readonly EventWriter _writer;
    private readonly ReadConnectionPool _readers;
    private StoreHealth _health;
    private volatile int _consent;
    private DeviceIdentity _identity;
    private long _accepted;
    private long _droppedQueueFull;
    private long _droppedNoConsent;
    private int _disposed;
    private long _generation;

    /// <summary>Opens (or creates, migrates or recovers) the store at <see cref="StoreOptions.DatabasePath"/>.</summary>
    /// <exception cref="ArgumentException">When an option is invalid.</exception>
    /// <exception cref="BehaviorStoreException">When the file belongs to a newer SDK or cannot be opened at all.</exception>
    public BehaviorStore(StoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        SqliteDatabase database;
        try
        {
            (database, _health) = StoreOpener.Open(options, _logger);
            database = FinishInterruptedErasure(database, options);
        }
        catch (SqliteException e)
        {
            throw OpenFailure(e);
        }
        // From here on the store holds a connection, then a writer thread: a failure must close what is open, or
        // every failed open would leak a thread and file descriptors into the app.
        EventWriter? writer = null;
        ReadConnectionPool? readers = null;
        bool opened = false;
        try
        {
            (_consent, _identity) = ((int)ReadConsent(database), DeviceIdentity.Ensure(database));
            _writer = writer = new EventWriter(database, options, _logger);
            _readers = readers = new ReadConnectionPool(options);
            // Another connection holding the write lock past the busy timeout makes this fail (SQLITE_BUSY).
            Wait(_writer.Submit(new WriterCommand(w => w.ApplyRetentionNow())));
            opened = true;
        }
        catch (SqliteException e)
        {
            throw OpenFailure(e);
        }
        finally
        {
            if (!opened)
            {
                readers?.Dispose();
                if (writer is null)
                {
                    database.Dispose();
                }
                else
                {
                    writer.Dispose(); // stops the thread, then closes the connection it owns
                }
            }
        }
    }

    private static BehaviorStoreException OpenFailure(SqliteException e) =>
        new(e.IsCorruption ? StoreErrorKind.Corrupt : StoreErrorKind.Io, $"Cannot open the behaviour store: {e.Message}", e);

    /// <summary>How the store opened, and the last write failure if one is outstanding.</summary>
    public StoreHealth Health => _health with { LastWriteError = _writer.LastWriteError };

    /// <summary>Counters since open.</summary>
    public StoreStatistics Statistics => new(
        Interlocked.Read(ref _accepted),
        _writer.Written,
        _writer.Pending,
        Interlocked.Read(ref _droppedQueueFull),
        Interlocked.Read(ref _droppedNoConsent),
        _writer.EvictedTotal,
        _writer.StoredRows,
        _writer.RefusedBySyncTotal);

    /// <summary>
    /// Increases with every committed batch of events (and retention), so a cache of event reads taken at the
    /// same value is still exact. Other writes (items, consent) do not change it.
    /// </summary>
    public long EventCommits => _writer.Commits;

    /// <summary>Changes whenever the database is replaced (erase), so caches keyed on sequence ids can tell.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The newest committed sequence id of the user's events, or 0 when there is none. One index seek.</summary>
    public long GetLatestSequence(string userId)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        return Read(database => database.QueryFirst("SELECT MAX(seq) FROM events WHERE user_id = ?1", static row => row.ColumnInt64(0), userId));
    }

    /// <summary>Events tracked but not yet committed.</summary>
    public long PendingEvents => _writer.Pending;

    /// <summary>A random id for this installation's store; a new one is made by <see cref="EraseAllData"/>.</summary>
    public string DeviceId => Volatile.Read(ref _identity).DeviceId;

    /// <summary>The secret that proves to the sync server that this store is <see cref="DeviceId"/>. Never logged, never shown.</summary>
    internal string DeviceSecret => Volatile.Read(ref _identity).Secret;

    /// <summary>The user's current consent choice (persisted).</summary>
    public ConsentState Consent => (ConsentState)_consent;

    /// <summary>
    /// Records that <paramref name="userId"/> did <paramref name="type"/> on <paramref name="itemId"/>.
    /// Validates, queues and returns without touching the disk.
    /// </summary>
    /// <param name="userId">Profile id, 1–256 UTF-8 bytes, no control characters.</param>
    /// <param name="itemId">Item id, 1–256 UTF-8 bytes, no control characters.</param>
    /// <param name="type">A built-in or app-defined event type.</param>
    /// <param name="value">Rating, dwell seconds… must be finite.</param>
    /// <param name="timestamp">When it happened; now when null. At most <see cref="StoreOptions.MaxClockSkew"/> ahead.</param>
    /// <param name="context">Up to 16 small key/value pairs, copied before return.</param>
    /// <returns>Whether the event was queued, or why it was not recorded.</returns>
    /// <exception cref="InvalidEventException">When any argument is invalid; nothing is recorded.</exception>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public TrackOutcome Track(string userId, string itemId, EventType type, double value = 0,
        DateTimeOffset? timestamp = null, IReadOnlyDictionary<string, string>? context = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        EventValidator.ValidateText(itemId, nameof(itemId), InputLimits.MaxIdBytes);
        EventValidator.ValidateType(type);
        EventValidator.ValidateValue(value);
        long nowMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        long timestampMs = timestamp?.ToUnixTimeMilliseconds() ?? nowMs;
        EventValidator.ValidateTimestamp(timestampMs, nowMs, _options.MaxClockSkew);
        EventValidator.ValidateContext(context);

        var consent = (ConsentState)_consent;
        if (consent == ConsentState.Revoked)
        {
            Interlocked.Increment(ref _droppedNoConsent);
            return TrackOutcome.ConsentRevoked;
        }
        var syncState = consent == ConsentState.LocalOnly ? SyncState.LocalOnly : SyncState.Pending;
        var write = new QueuedWrite(timestampMs, userId, itemId, (int)type, value, TextMap.Serialize(context), syncState, null);
        if (!_writer.TryEnqueue(write))
        {
            Interlocked.Increment(ref _droppedQueueFull);
            return TrackOutcome.QueueFull;
        }
        Interlocked.Increment(ref _accepted);
        return TrackOutcome.Accepted;
    }

    /// <summary>Returns when every event tracked before the call is committed to disk.</summary>
    /// <exception cref="BehaviorStoreException">When the commit failed (the events stay queued for retry).</exception>
    public void Flush() => Wait(FlushAsync());

    /// <summary>Like <see cref="Flush"/>, but false instead of an exception when the disk refuses the commit (the events stay queued).</summary>
    internal bool TryFlush()
    {
        try
        {
            Flush();
            return true;
        }
        catch (BehaviorStoreException e) when (e.Kind is StoreErrorKind.DiskFull or StoreErrorKind.Io)
        {
            return false;
        }
    }

    /// <summary>
    /// Changes <see cref="StoreOptions.MaxDatabaseBytes"/> while the store is open. Runs even while the bound refuses
    /// the queued events (raising it is what lets them in); they are committed at the writer's next attempt.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="maxBytes"/> is not positive.</exception>
    public void SetMaxDatabaseBytes(long? maxBytes)
    {
        StoreOptions.ValidateMaxDatabaseBytes(maxBytes);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Wait(_writer.Submit(new WriterCommand(writer => writer.LimitSize(maxBytes)) { IgnoresPendingFailure = true }));
    }

    /// <summary>Completes when every event tracked before the call is committed to disk.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _writer.Submit(new WriterCommand()).WaitAsync(cancellationToken);
    }

    /// <summary>Adds or replaces item metadata, all items in one transaction. Validates every item first.</summary>
    /// <exception cref="InvalidEventException">When an item is invalid; nothing is written.</exception>
    public void UpsertItems(IEnumerable<ItemMetadata> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var list = items.ToList();
        foreach (var item in list)
        {
            if (item is null)
            {
                throw new InvalidEventException(nameof(items), InvalidInputReason.Null, "An item must not be null.");
            }
            item.Validate();
        }
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            foreach (var item in list)
            {
                ItemQuery.Upsert(database, item);
            }
        }));
    }

    /// <summary>The stored metadata of an item, or null.</summary>
    public ItemMetadata? GetItem(string itemId)
    {
        EventValidator.ValidateText(itemId, nameof(itemId), InputLimits.MaxIdBytes);
        return Read(database => ItemQuery.Get(database, itemId));
    }

    /// <summary>
    /// The user's last <paramref name="maxLength"/> items, oldest first. Reflects committed events; call
    /// <see cref="Flush"/> first to include events tracked a moment ago.
    /// </summary>
    /// <param name="userId">The profile.</param>
    /// <param name="maxLength">How many items at most (1–10,000).</param>
    /// <param name="types">Only these event types; all types when null.</param>
    /// <param name="collapseRepeats">Collapse consecutive events on the same item into one step (the newest).</param>
    public IReadOnlyList<RecentItem> GetRecentSequence(string userId, int maxLength = 50,
        IReadOnlySet<EventType>? types = null, bool collapseRepeats = true)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLength, 10_000);
        return Read(database => RecentSequenceQuery.Run(database, userId, maxLength, types, collapseRepeats));
    }

    /// <summary>The user's profile from their most recent events (an empty profile for an unknown user).</summary>
    public UserProfile GetProfile(string userId)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        var now = _options.TimeProvider.GetUtcNow();
        return Read(database => ProfileQuery.Run(database, userId, _options, now));
    }

    /// <summary>The most popular items on this device over the last <paramref name="window"/>.</summary>
    public IReadOnlyList<ItemPopularity> GetPopularItems(TimeSpan window, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 100_000);
        long sinceMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() - (long)Math.Min(window.TotalMilliseconds, long.MaxValue / 2.0);
        return Read(database => PopularityQuery.Run(database, sinceMs, count));
    }

    /// <summary>Every item the user interacted with (impressions excluded).</summary>
    public IReadOnlySet<string> GetInteractedItems(string userId)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        return Read(database => InteractedItemsQuery.Run(database, userId));
    }

    /// <summary>Every item the user was shown (impression events).</summary>
    public IReadOnlySet<string> GetShownItems(string userId)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        return Read(database => InteractedItemsQuery.Shown(database, userId));
    }

    /// <summary>Items <paramref name="userId"/> gave <paramref name="answer"/> about in onboarding (events recorded by RecordOnboardingAnswer).</summary>
    internal IReadOnlySet<string> GetOnboardingAnswers(string userId, OnboardingAnswer answer)
    {
        var (type, _) = Onboarding.OnboardingContext.EventOf(answer);
        return Read(database => InteractedItemsQuery.Answered(database, userId, type, Onboarding.OnboardingContext.Stored(answer)));
    }

    /// <summary>How many times each item was shown to the user (impression events); items never shown are absent.</summary>
    public IReadOnlyDictionary<string, int> GetShownCounts(string userId)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        return Read(database => InteractedItemsQuery.ShownCounts(database, userId));
    }

    /// <summary>Item metadata in the store, up to <paramref name="limit"/> items, by id.</summary>
    public IReadOnlyList<ItemMetadata> GetItems(int limit = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Read(database => ItemQuery.All(database, limit));
    }

    /// <summary>Stored events with a sequence id above <paramref name="afterSequence"/>, in order.</summary>
    public IReadOnlyList<BehaviorEvent> GetEvents(long afterSequence = 0, int count = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 100_000);
        return Read(database => EventsQuery.Run(database, afterSequence, count));
    }

    /// <summary>
    /// Records the user's consent choice (persisted before return). Revoked stops recording; LocalOnly and
    /// Revoked also mark every stored event and attribute change as never to be synced.
    /// </summary>
    public void SetConsent(ConsentState consent)
    {
        if (!Enum.IsDefined(consent))
        {
            throw new ArgumentOutOfRangeException(nameof(consent), consent, "Unknown consent state.");
        }
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        // Set before the write so that events tracked from now on already follow the new choice.
        _consent = (int)consent;
        RunOnWriter(writer => writer.Database.InTransaction(database =>
        {
            KeyValue.Set(database, KeyValue.Consent, ((int)consent).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (consent is ConsentState.Revoked or ConsentState.LocalOnly)
            {
                database.Execute($"UPDATE events SET sync_state = {(int)SyncState.LocalOnly} WHERE sync_state = {(int)SyncState.Pending}");
                KeepAttributesLocal(database);
            }
        }));
        LogConsent(_logger, consent);
    }

    /// <summary>Writes everything queued, stops the writer and closes the database.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _writer.Dispose();
        _readers.Dispose();
    }

    /// <summary>Writes everything queued, stops the writer and closes the database.</summary>
    public ValueTask DisposeAsync()
    {
        // The final commit blocks on disk; keep it off the caller's (possibly UI) thread.
        return new ValueTask(Task.Run(Dispose));
    }

    private T Read<T>(Func<SqliteDatabase, T> query)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            return _readers.Read(query);
        }
        catch (SqliteException e)
        {
            throw new BehaviorStoreException(e.IsCorruption ? StoreErrorKind.Corrupt : StoreErrorKind.Io, e.Message, e);
        }
    }

    private void RunOnWriter(Action<EventWriter> action)
    {
        try
        {
            Wait(_writer.Submit(new WriterCommand(action)));
        }
        catch (SqliteException e)
        {
            throw new BehaviorStoreException(e.IsCorruption ? StoreErrorKind.Corrupt : StoreErrorKind.Io, e.Message, e);
        }
    }

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private static ConsentState ReadConsent(SqliteDatabase database) =>
        int.TryParse(KeyValue.Get(database, KeyValue.Consent), out int stored) && Enum.IsDefined((ConsentState)stored)
            ? (ConsentState)stored
            : ConsentState.Unknown;

    [LoggerMessage(Level = LogLevel.Information, Message = "Consent set to {Consent}.")]
    private static partial void LogConsent(ILogger logger, ConsentState consent);
}
