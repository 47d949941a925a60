using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OnDeviceReco.Ranking;

namespace OnDeviceReco;

/// <summary>
/// The SDK's entry point: records what the user does and answers "what next?" on the device, offline.
/// Create one per database file and share it; every member is thread-safe.
/// </summary>
public sealed class RecoClient : IDisposable, IAsyncDisposable
{
    /// <summary>Largest number of items one Recommend call returns.</summary>
    public const int MaxRecommendations = 1000;

    private readonly BehaviorStore _store;
    private readonly PopularityRecommender _popularity;
    private volatile IRecommender _recommender;

    /// <summary>Opens the store (creating, migrating or recovering it) and starts the background writer.</summary>
    /// <exception cref="ArgumentException">When an option is invalid.</exception>
    /// <exception cref="BehaviorStoreException">When the database cannot be opened.</exception>
    public RecoClient(RecoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store, nameof(options.Store));
        ILogger logger = options.LoggerFactory?.CreateLogger("OnDeviceReco") ?? NullLogger.Instance;
        _store = new BehaviorStore(options.Store, logger);
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
        }
        catch
        {
            _store.Dispose();
            throw;
        }
        _recommender = _popularity;
    }

    /// <summary>The underlying store, for advanced queries.</summary>
    public BehaviorStore Store => _store;

    /// <summary>How the store opened and whether writes are failing.</summary>
    public StoreHealth Health => _store.Health;

    /// <summary>Counters: accepted, written, pending, dropped, evicted, stored.</summary>
    public StoreStatistics Statistics => _store.Statistics;

    /// <summary>The persisted consent choice.</summary>
    public ConsentState Consent => _store.Consent;

    /// <inheritdoc cref="BehaviorStore.Track"/>
    public TrackOutcome Track(string userId, string itemId, EventType type, double value = 0,
        DateTimeOffset? timestamp = null, IReadOnlyDictionary<string, string>? context = null) =>
        _store.Track(userId, itemId, type, value, timestamp, context);

    /// <inheritdoc cref="BehaviorStore.Flush"/>
    public void Flush() => _store.Flush();

    /// <inheritdoc cref="BehaviorStore.FlushAsync"/>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _store.FlushAsync(cancellationToken);

    /// <inheritdoc cref="BehaviorStore.UpsertItems"/>
    public void UpsertItems(IEnumerable<ItemMetadata> items) => _store.UpsertItems(items);

    /// <inheritdoc cref="BehaviorStore.GetProfile"/>
    public UserProfile GetProfile(string userId) => _store.GetProfile(userId);

    /// <inheritdoc cref="BehaviorStore.GetRecentSequence"/>
    public IReadOnlyList<RecentItem> GetRecentSequence(string userId, int maxLength = 50,
        IReadOnlySet<EventType>? types = null, bool collapseRepeats = true) =>
        _store.GetRecentSequence(userId, maxLength, types, collapseRepeats);

    /// <inheritdoc cref="BehaviorStore.SetConsent"/>
    public void SetConsent(ConsentState consent) => _store.SetConsent(consent);

    /// <inheritdoc cref="BehaviorStore.EraseAllData"/>
    public void EraseAllData() => _store.EraseAllData();

    /// <summary>Replaces the app-supplied popularity list (most popular first).</summary>
    public void SetPopularItems(IEnumerable<string> rankedItemIds) => _popularity.SetAppPopularityList(rankedItemIds);

    /// <summary>
    /// Up to <paramref name="count"/> items for <paramref name="userId"/>, best first. Each result says
    /// where it came from and why. An unknown user gets popular items.
    /// </summary>
    /// <exception cref="InvalidEventException">When <paramref name="userId"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="count"/> is not 1–1,000.</exception>
    public IReadOnlyList<Recommendation> Recommend(string userId, int count, RecommendOptions? options = null)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxRecommendations);
        return _recommender.Recommend(new RecommendationRequest(userId, count, options ?? RecommendOptions.Default));
    }

    /// <summary>Recommend without blocking the caller's thread on the database.</summary>
    public Task<IReadOnlyList<Recommendation>> RecommendAsync(string userId, int count, RecommendOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Recommend(userId, count, options), cancellationToken);

    /// <summary>Writes everything tracked, then closes the store.</summary>
    public void Dispose() => _store.Dispose();

    /// <summary>Writes everything tracked, then closes the store, off the caller's thread.</summary>
    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
