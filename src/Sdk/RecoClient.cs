using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OnDeviceReco.Protocol;
using OnDeviceReco.Ranking;

namespace OnDeviceReco;

/// <summary>
/// The SDK's entry point: records what the user does and answers "what next?" on the device, offline.
/// Create one per database file and share it; every member is thread-safe.
/// </summary>
public sealed partial class RecoClient : IDisposable, IAsyncDisposable
{
    /// <summary>Largest number of items one Recommend call returns.</summary>
    public const int MaxRecommendations = 1000;

    private readonly BehaviorStore _store;
    private readonly PopularityRecommender _popularity;
    private readonly ModelRecommender _recommender;
    private readonly BundleVerifier? _verifier;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Opens the store (creating, migrating or recovering it) and starts the background writer.</summary>
    /// <exception cref="ArgumentException">When an option is invalid.</exception>
    /// <exception cref="BehaviorStoreException">When the database cannot be opened.</exception>
    public RecoClient(RecoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store, nameof(options.Store));
        ArgumentNullException.ThrowIfNull(options.Inference, nameof(options.Inference));
        options.Inference.Validate();
        options.Sync?.Validate();
        ILogger logger = options.LoggerFactory?.CreateLogger("OnDeviceReco") ?? NullLogger.Instance;
        // Keys are parsed before any file is opened, so a bad key fails fast and touches nothing.
        _verifier = options.TrustedModelKeys is { Count: > 0 } keys ? new BundleVerifier(keys) : null;
        _store = new BehaviorStore(options.Store, logger);
        _logger = logger;
        // The store runs a writer thread and holds files open: whatever fails from here on must release them all
        // (sync client and schedule, a model loaded from the sync directory, the store).
        bool started = false;
        try
        {
            if (_store.Consent == ConsentState.Unknown && options.InitialConsent != ConsentState.Unknown)
            {
                _store.SetConsent(options.InitialConsent);
            }
            _popularity = new PopularityRecommender(_store, options.PopularityWindow, options.PopularityRefreshInterval);
            if (options.PopularItems is { } popular)
            {
                _popularity.SetAppPopularityList(popular);
            }
            _recommender = new ModelRecommender(_store, _popularity, options.Inference, logger);
            if (options.Sync is { } sync)
            {
                StartSync(sync);
            }
            started = true;
        }
        finally
        {
            if (!started)
            {
                Dispose();
            }
        }
    }

    /// <summary>The model serving recommendations, or null when none is loaded (popularity and content serve).</summary>
    public ModelInfo? Model => _recommender.Current;

    /// <summary>
    /// Verifies the signed bundle in <paramref name="bundleDirectory"/> (signature and every file hash), builds
    /// and warms an ONNX Runtime session from the verified bytes, then swaps it in atomically: concurrent
    /// Recommend calls never fail, and calls already running finish on the previous model.
    /// </summary>
    /// <exception cref="ModelLoadException">When the bundle is refused; the previous model keeps serving.</exception>
    public ModelInfo LoadModel(string bundleDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(bundleDirectory);
        if (_verifier is null)
        {
            throw new ModelLoadException("No trusted model key is configured (RecoClientOptions.TrustedModelKeys).", BundleRejectReason.UnknownKey);
        }
        if (!_verifier.TryVerify(bundleDirectory, out var bundle, out var rejection))
        {
            throw new ModelLoadException($"Model bundle refused: {rejection.Message}", rejection.Reason);
        }
        try
        {
            return _recommender.Load(bundle);
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidDataException)
        {
            throw new ModelLoadException($"The verified model could not be run: {e.Message}", null, e);
        }
    }

    /// <summary>The store behind this client, for tests that inspect what it holds (InternalsVisibleTo).</summary>
    internal BehaviorStore Store => _store;

    /// <summary>
    /// This installation's random, pseudonymous id: what sync identifies the device by. <see cref="EraseAllData"/>
    /// makes a new one (and the server's data under the old one is erased at the next sync).
    /// </summary>
    public string DeviceId => _store.DeviceId;

    /// <summary>How the store opened and whether writes are failing.</summary>
    public StoreHealth Health => _store.Health;

    /// <summary>Counters: accepted, written, pending, dropped, evicted, stored.</summary>
    public StoreStatistics Statistics => _store.Statistics;

    /// <summary>The persisted consent choice.</summary>
    public ConsentState Consent => _store.Consent;

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
        DateTimeOffset? timestamp = null, IReadOnlyDictionary<string, string>? context = null) =>
        _store.Track(userId, itemId, type, value, timestamp, context);

    /// <summary>Returns when every event tracked before the call is committed to disk.</summary>
    /// <exception cref="BehaviorStoreException">When the commit failed (the events stay queued for retry).</exception>
    public void Flush() => _store.Flush();

    /// <summary>Completes when every event tracked before the call is committed to disk.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _store.FlushAsync(cancellationToken);

    /// <summary>Adds or replaces item metadata, all items in one transaction. Validates every item first.</summary>
    /// <exception cref="InvalidEventException">When an item is invalid; nothing is written.</exception>
    public void UpsertItems(IEnumerable<ItemMetadata> items) => _store.UpsertItems(items);

    /// <summary>The user's profile from their most recent events (an empty profile for an unknown user).</summary>
    public UserProfile GetProfile(string userId) => _store.GetProfile(userId);

    /// <summary>
    /// The user's last <paramref name="maxLength"/> items, oldest first. Reflects committed events; call
    /// <see cref="Flush"/> first to include events tracked a moment ago.
    /// </summary>
    /// <param name="userId">The profile.</param>
    /// <param name="maxLength">How many items at most (1–10,000).</param>
    /// <param name="types">Only these event types; all types when null.</param>
    /// <param name="collapseRepeats">Collapse consecutive events on the same item into one step (the newest).</param>
    public IReadOnlyList<RecentItem> GetRecentSequence(string userId, int maxLength = 50,
        IReadOnlySet<EventType>? types = null, bool collapseRepeats = true) =>
        _store.GetRecentSequence(userId, maxLength, types, collapseRepeats);

    /// <summary>
    /// Records the user's consent choice (persisted before return). Revoked stops recording; LocalOnly and
    /// Revoked also mark every stored event and attribute change as never to be synced.
    /// </summary>
    public void SetConsent(ConsentState consent) => _store.SetConsent(consent);

    /// <summary>
    /// Deletes every event, item and state row and every file of the database (WAL included, overwritten first), then
    /// starts an empty store: sequence ids restart at 1 and the device id is new. The consent choice is kept. Events
    /// tracked before the call are erased too. When the erased identity may have synced, the server's erasure of its
    /// data is owed from now on and asked for at the next sync (<see cref="SyncResult.ErasedOnServer"/>,
    /// <see cref="SyncResult.ErasuresPending"/>), after a restart too; <see cref="EraseAllDataAsync"/> asks at once.
    /// </summary>
    /// <exception cref="BehaviorStoreException">When the erasure cannot be written down (a full disk): nothing was erased.</exception>
    public void EraseAllData() => _store.EraseAllData();

    /// <summary>
    /// Changes the bound on the database file's size while running (<see cref="StoreOptions.MaxDatabaseBytes"/>; null
    /// lifts it): e.g. lower it when the system reports low storage, raise it when space is back. Events that waited
    /// for room are written at the writer's next attempt.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="maxBytes"/> is not positive.</exception>
    public void SetMaxDatabaseBytes(long? maxBytes) => _store.SetMaxDatabaseBytes(maxBytes);

    /// <summary>Replaces the app-supplied popularity list (most popular first).</summary>
    public void SetPopularItems(IEnumerable<string> rankedItemIds) => _popularity.SetAppPopularityList(rankedItemIds);

    /// <summary>
    /// Up to <paramref name="count"/> items for <paramref name="userId"/>, best first. Each result says
    /// where it came from and why. An unknown user gets popular items.
    /// </summary>
    /// <exception cref="InvalidEventException">When <paramref name="userId"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="count"/> is not 1–1,000.</exception>
    public RecommendationList Recommend(string userId, int count, RecommendOptions? options = null)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxRecommendations);
        options ??= RecommendOptions.Default;
        if (!(options.Relevance is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Relevance, "Relevance must be between 0 and 1.");
        }
        if (!(options.Exploration is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Exploration, "Exploration must be between 0 and 1.");
        }
        if (!Enum.IsDefined(options.ExplorationStrategy))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExplorationStrategy, "Unknown exploration strategy.");
        }
        if (options.Candidates is { Count: 0 })
        {
            throw new ArgumentException("The candidate set is empty: there is nothing to recommend from.", nameof(options));
        }
        // The version comes from the model that served this call, even if another was swapped in meanwhile.
        var items = _recommender.Recommend(new RecommendationRequest(userId, count, options), out long? version);
        return new RecommendationList(Guid.NewGuid().ToString("N"), items, version);
    }

    /// <summary>Recommend without blocking the caller's thread on the database or the model.</summary>
    public Task<RecommendationList> RecommendAsync(string userId, int count, RecommendOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Recommend(userId, count, options), cancellationToken);

    /// <summary>
    /// Records that the items of <paramref name="shown"/> were displayed to <paramref name="userId"/>: one
    /// impression event per item, carrying the request id and rank, so training learns from what was shown.
    /// </summary>
    public void RecordImpressions(string userId, RecommendationList shown, int? visibleCount = null)
    {
        ArgumentNullException.ThrowIfNull(shown);
        int count = Math.Clamp(visibleCount ?? shown.Count, 0, shown.Count);
        for (int i = 0; i < count; i++)
        {
            Track(userId, shown[i].ItemId, EventType.Impression, context: WithArm(FeedbackContext(shown.RequestId, shown[i])));
        }
    }

    /// <summary>Records that <paramref name="userId"/> acted on a recommended item (a click linked to the response).</summary>
    /// <exception cref="ArgumentException">When the item was not in that response.</exception>
    public TrackOutcome RecordClick(string userId, RecommendationList shown, string itemId, EventType type = EventType.Click) =>
        Track(userId, itemId, type, context: FeedbackContext(shown, itemId));

    /// <summary>
    /// Records that <paramref name="userId"/> acted on a recommended item at <paramref name="timestamp"/>: when the app
    /// learns of it after the fact (a purchase confirmed later, history replayed), so the click sits where it happened
    /// in the user's sequence — just before the rating or play it led to, which training then folds into one.
    /// </summary>
    /// <exception cref="ArgumentException">When the item was not in that response.</exception>
    public TrackOutcome RecordClick(string userId, RecommendationList shown, string itemId, DateTimeOffset timestamp, EventType type = EventType.Click) =>
        Track(userId, itemId, type, timestamp: timestamp, context: FeedbackContext(shown, itemId));

    /// <summary>
    /// Records feedback on one recommended item when the response object is not at hand (e.g. across the C
    /// ABI): the event carries the request id, rank and source that link it to the response.
    /// </summary>
    /// <exception cref="InvalidEventException">When an id is invalid.</exception>
    public TrackOutcome TrackFeedback(string userId, string requestId, string itemId, int rank, RecommendationSource source, EventType type)
    {
        EventValidator.ValidateText(requestId, nameof(requestId), InputLimits.MaxContextValueBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (!Enum.IsDefined(source))
        {
            throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown recommendation source.");
        }
        return Track(userId, itemId, type, context: FeedbackContext(requestId, rank, source));
    }

    /// <summary>The context linking feedback on <paramref name="itemId"/> to the response that showed it.</summary>
    /// <exception cref="ArgumentException">When the item was not in that response.</exception>
    private static Dictionary<string, string> FeedbackContext(RecommendationList shown, string itemId)
    {
        ArgumentNullException.ThrowIfNull(shown);
        var item = shown.FirstOrDefault(r => r.ItemId == itemId)
            ?? throw new ArgumentException($"'{itemId}' was not part of response {shown.RequestId}.", nameof(itemId));
        return FeedbackContext(shown.RequestId, item);
    }

    private static Dictionary<string, string> FeedbackContext(string requestId, Recommendation item) =>
        FeedbackContext(requestId, item.Rank, item.Source);

    private static Dictionary<string, string> FeedbackContext(string requestId, int rank, RecommendationSource source) => new(StringComparer.Ordinal)
    {
        ["request_id"] = requestId,
        ["rank"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["source"] = source.ToString(),
    };

    /// <summary>Writes everything tracked, then closes the model and the store. Calls after the first do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        StopSync();
        // Null only when the constructor failed before creating it (it disposes what it had made).
        _recommender?.Dispose();
        _store.Dispose();
    }

    /// <summary>Writes everything tracked, then closes the model and the store, off the caller's thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        StopSync();
        _recommender.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
