namespace OnDeviceReco.Ranking;

/// <summary>
/// The last link of the cold-start chain: items popular on this device over a window, then the app's own
/// popularity list (e.g. shipped with the app or fetched from its server) for whatever slots remain.
/// </summary>
internal sealed class PopularityRecommender
{
    private readonly BehaviorStore _store;
    private readonly TimeSpan _window;
    private readonly long _refreshMs;
    private volatile IReadOnlyList<string> _appList = [];
    private volatile IReadOnlyList<string> _bundledList = [];
    private volatile PopularSnapshot? _snapshot;

    private sealed record PopularSnapshot(long TakenAtMs, int Count, IReadOnlyList<ItemPopularity> Items);

    /// <summary>Creates the recommender over <paramref name="store"/>, counting popularity over <paramref name="window"/>.</summary>
    /// <param name="store">Where behaviour is read from.</param>
    /// <param name="window">How far back popularity is counted.</param>
    /// <param name="refreshInterval">How long a popularity count is reused: counting scans the window, so it is not redone per call.</param>
    public PopularityRecommender(BehaviorStore store, TimeSpan window, TimeSpan refreshInterval)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(refreshInterval, TimeSpan.Zero);
        _store = store;
        _window = window;
        _refreshMs = (long)refreshInterval.TotalMilliseconds;
    }

    /// <summary>Popular items, at least <paramref name="count"/> of them when that many exist, from a recent count.</summary>
    internal IReadOnlyList<ItemPopularity> Popular(int count)
    {
        long nowMs = Environment.TickCount64;
        var snapshot = _snapshot;
        if (snapshot is null || snapshot.Count < count || nowMs - snapshot.TakenAtMs > _refreshMs)
        {
            int fetch = Math.Max(count, snapshot?.Count ?? 256);
            snapshot = new PopularSnapshot(nowMs, fetch, _store.GetPopularItems(_window, fetch));
            _snapshot = snapshot;
        }
        return snapshot.Items;
    }

    private static string Describe(TimeSpan window) =>
        window.TotalDays >= 730 ? $"{window.TotalDays / 365:0} years"
        : window.TotalDays >= 1 ? $"{window.TotalDays:0} days"
        : $"{window.TotalHours:0} hours";

    /// <summary>Replaces the app-supplied list (most popular first); invalid or duplicate ids are refused.</summary>
    /// <exception cref="InvalidEventException">When an id is invalid.</exception>
    public void SetAppPopularityList(IEnumerable<string> rankedItemIds)
    {
        ArgumentNullException.ThrowIfNull(rankedItemIds);
        var list = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in rankedItemIds)
        {
            EventValidator.ValidateText(id, nameof(rankedItemIds), InputLimits.MaxIdBytes);
            if (seen.Add(id))
            {
                list.Add(id);
            }
        }
        _appList = list;
    }

    /// <summary>The popularity list shipped in the current model bundle; used when the app supplied none.</summary>
    internal void SetBundledPopularityList(IReadOnlyList<string> rankedItemIds) => _bundledList = rankedItemIds;

    /// <summary>Up to <see cref="RecommendationRequest.Count"/> items, best first, with ranks from 1.</summary>
    public IReadOnlyList<Recommendation> Recommend(RecommendationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var seen = request.Options.ExcludeSeen ? _store.GetInteractedItems(request.UserId) : new HashSet<string>();
        return Recommend(request, new CandidateFilter(request.Options, seen, id => _store.GetItem(id)?.Categories), seen.Count);
    }

    /// <summary>
    /// Recommends through a filter the caller already built (the model chain has the user's seen items and
    /// the model's categories at hand, so nothing is read from the store twice).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="filter">The request's filters, applied to every popular item.</param>
    /// <param name="seenCount">How many items the filter excludes as seen, to over-fetch enough.</param>
    internal IReadOnlyList<Recommendation> Recommend(RecommendationRequest request, CandidateFilter filter, int seenCount)
    {
        var results = new List<Recommendation>(request.Count);
        var taken = new HashSet<string>(StringComparer.Ordinal);

        // Over-fetch so that filtering out the user's own items still leaves enough.
        int fetch = Math.Min(request.Count * 4 + seenCount, 100_000);
        string window = Describe(_window);
        foreach (var item in Popular(fetch))
        {
            if (results.Count == request.Count)
            {
                break;
            }
            if (filter.Allows(item.ItemId) && taken.Add(item.ItemId))
            {
                results.Add(new Recommendation(item.ItemId, item.Users + item.Interactions / (double)(item.Interactions + 1),
                    results.Count + 1, RecommendationSource.Popularity,
                    $"Popular on this device: {item.Users} {(item.Users == 1 ? "person" : "people")} in the last {window}"));
            }
        }
        var appList = _appList.Count > 0 ? _appList : _bundledList;
        for (int i = 0; i < appList.Count && results.Count < request.Count; i++)
        {
            if (filter.Allows(appList[i]) && taken.Add(appList[i]))
            {
                // Below every local score, in the app's order.
                results.Add(new Recommendation(appList[i], 1.0 / (i + 2), results.Count + 1, RecommendationSource.Popularity,
                    $"Popular in the app (#{i + 1})"));
            }
        }
        return results;
    }
}
