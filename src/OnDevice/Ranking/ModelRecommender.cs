using Microsoft.Extensions.Logging;
using OnDeviceReco.Inference;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The full chain: the sequence model when it knows something the user did, content (categories against the
/// user's profile) when it does not, popularity last. Post-processing applies the request's filters,
/// diversity (MMR) and exploration, and explains every item. Models are swapped atomically under load.
/// </summary>
internal sealed partial class ModelRecommender : IDisposable
{
    private readonly BehaviorStore _store;
    private readonly PopularityRecommender _popularity;
    private readonly InferenceOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _swap = new();
    private readonly UserHistoryCache _histories;
    private LoadedModel? _model;

    public ModelRecommender(BehaviorStore store, PopularityRecommender popularity, InferenceOptions options, ILogger logger)
    {
        _store = store;
        _popularity = popularity;
        _options = options;
        _logger = logger;
        _histories = new UserHistoryCache(store);
    }

    /// <summary>What is serving now, or null before the first model.</summary>
    public ModelInfo? Current => Volatile.Read(ref _model) is { } model ? Describe(model) : null;

    /// <summary>
    /// Builds and warms a session for <paramref name="bundle"/>, then swaps it in. If anything fails the
    /// current model keeps serving and the exception says why. Calls in flight finish on the old model.
    /// </summary>
    public ModelInfo Load(VerifiedBundle bundle)
    {
        var loaded = LoadedModel.Load(bundle, _options);
        LoadedModel? previous;
        lock (_swap)
        {
            previous = _model;
            Volatile.Write(ref _model, loaded);
        }
        previous?.Retire();
        _popularity.SetBundledPopularityList(bundle.Manifest.Popularity);
        var info = Describe(loaded);
        LogLoaded(_logger, info.ModelVersion, info.Architecture, info.Provider, loaded.FallbackReason ?? "");
        return info;
    }

    /// <summary>Recommends and reports the version of the model that actually served (null without one).</summary>
    public IReadOnlyList<Recommendation> Recommend(RecommendationRequest request, out long? modelVersion)
    {
        var model = Acquire();
        modelVersion = model?.Manifest.ModelVersion;
        try
        {
            // Real time: whatever was tracked a moment ago is part of the history this answer is built on.
            if (_store.PendingEvents > 0)
            {
                _store.Flush();
            }
            var results = new ResultBuilder(request.Count);
            var user = _histories.Get(request.UserId, model?.SequenceLength ?? 1);
            var seen = request.Options.ExcludeSeen ? user.Interacted : new HashSet<string>();
            var filter = new CandidateFilter(request.Options, seen, id => CategoriesOf(model, id));
            int explore = (int)Math.Round(Math.Clamp(request.Options.Exploration, 0, 1) * request.Count);
            if (model is not null)
            {
                FromModel(model, user.Recent, request, filter, results, request.Count - explore);
            }
            if (!results.IsFull)
            {
                FromContent(model, request, filter, results, request.Count - explore);
            }
            if (explore > 0)
            {
                Explore(model, user.Interacted, request, filter, results, explore);
            }
            if (!results.IsFull)
            {
                results.Fill(_popularity.Recommend(request with { Count = Math.Min(request.Count + results.Items.Count, 100_000) }, filter, seen.Count)
                    .Where(r => !results.Contains(r.ItemId)));
            }
            return results.Items;
        }
        finally
        {
            model?.Release();
        }
    }

    private static void FromModel(LoadedModel model, IReadOnlyList<RecentItem> recent, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var history = new List<int>(recent.Count);
        var historyEvents = new List<RecentItem>(recent.Count);
        foreach (var item in recent)
        {
            if (model.TryGetIndex(item.ItemId, out int index))
            {
                history.Add(index);
                historyEvents.Add(item);
            }
        }
        if (history.Count == 0)
        {
            return; // nothing the model knows: content and popularity take over
        }
        var candidates = model.Run(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history), request.Options.ExcludeSeen, out _);
        // Without diversity re-ranking only the first allowed items are needed: stop filtering there.
        bool rerank = request.Options.Relevance < 1;
        var pool = new List<(int Index, float Score)>(rerank ? candidates.Length : slots);
        foreach (var candidate in candidates)
        {
            if (!rerank && pool.Count >= slots)
            {
                break;
            }
            if (float.IsFinite(candidate.Score) && filter.Allows(model.ItemIds[candidate.Index]))
            {
                pool.Add(candidate);
            }
        }
        var picked = MaximalMarginalRelevance.Select(pool.Select(c => c.Score).ToList(), slots, request.Options.Relevance,
            (a, b) => model.Similarity(pool[a].Index, pool[b].Index));
        foreach (int p in picked)
        {
            var (index, score) = pool[p];
            results.Add(model.ItemIds[index], score, RecommendationSource.Model, Explain(model, index, history, historyEvents));
        }
    }

    /// <summary>"Because you played X": the history item most similar to the recommended one.</summary>
    private static string Explain(LoadedModel model, int index, List<int> history, List<RecentItem> events)
    {
        int best = history.Count - 1;
        float bestSimilarity = float.NegativeInfinity;
        for (int h = 0; h < history.Count; h++)
        {
            float similarity = model.Similarity(index, history[h]);
            if (similarity > bestSimilarity)
            {
                bestSimilarity = similarity;
                best = h;
            }
        }
        return $"Because you {Explanations.Verb(events[best].Type)} {model.Titles[history[best]]}";
    }

    private void FromContent(LoadedModel? model, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var profile = _store.GetProfile(request.UserId);
        if (profile.CategoryAffinities.Count == 0)
        {
            return;
        }
        var affinities = profile.CategoryAffinities.ToDictionary(a => a.Category, a => a.Score, StringComparer.Ordinal);
        var popularity = _popularity.Popular(ContentTieBreakItems).ToDictionary(p => p.ItemId, p => p.Users, StringComparer.Ordinal);
        var scored = new List<(string Id, double Score, string? Category)>();
        foreach (var (id, categories) in ContentUniverse(model, request))
        {
            if (results.Contains(id) || !filter.Allows(id))
            {
                continue;
            }
            // Taste first, then how many people on this device chose it: a cold-start list of popular items
            // in the user's categories, not of obscure items that happen to list the same categories.
            double score = ContentScorer.Score(affinities, categories) * Math.Log(2 + popularity.GetValueOrDefault(id));
            if (score > 0)
            {
                scored.Add((id, score, ContentScorer.Strongest(affinities, categories)));
            }
        }
        int target = Math.Min(request.Count, results.Items.Count + Math.Max(0, slots - results.Items.Count));
        foreach (var (id, score, category) in scored.OrderByDescending(s => s.Score).ThenBy(s => s.Id, StringComparer.Ordinal))
        {
            if (results.Items.Count >= target)
            {
                break;
            }
            results.Add(id, score, RecommendationSource.Content, $"Matches your taste for {category}");
        }
    }

    /// <summary>Items content scoring may consider: the app's candidate set, else the model's vocabulary and the store's catalogue.</summary>
    private IEnumerable<(string Id, IReadOnlyList<string> Categories)> ContentUniverse(LoadedModel? model, RecommendationRequest request)
    {
        if (request.Options.Candidates is { } candidates)
        {
            foreach (var id in candidates)
            {
                if (CategoriesOf(model, id) is { } categories)
                {
                    yield return (id, categories);
                }
            }
            yield break;
        }
        if (model is not null)
        {
            for (int i = 1; i < model.ItemIds.Length; i++)
            {
                yield return (model.ItemIds[i], model.Categories[i]);
            }
        }
        foreach (var item in Catalogue())
        {
            if (model is null || !model.TryGetIndex(item.ItemId, out _))
            {
                yield return (item.ItemId, item.Categories);
            }
        }
    }

    private const int ContentCatalogueLimit = 50_000;
    private static readonly long CatalogueRefreshMs = 60_000;
    private volatile CatalogueSnapshot? _catalogue;

    private sealed record CatalogueSnapshot(long TakenAtMs, IReadOnlyList<ItemMetadata> Items);

    /// <summary>The store's item metadata, re-read at most once a minute: content scoring scans it per call.</summary>
    private IReadOnlyList<ItemMetadata> Catalogue()
    {
        long now = Environment.TickCount64;
        var snapshot = _catalogue;
        if (snapshot is null || now - snapshot.TakenAtMs > CatalogueRefreshMs)
        {
            snapshot = new CatalogueSnapshot(now, _store.GetItems(ContentCatalogueLimit));
            _catalogue = snapshot;
        }
        return snapshot.Items;
    }
    private const int ContentTieBreakItems = 1_000;

    /// <summary>Exploration: random allowed items this user has never been shown nor touched, marked as such.</summary>
    private void Explore(LoadedModel? model, IReadOnlySet<string> touched, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var shown = _store.GetShownItems(request.UserId);
        var pool = (model is not null ? model.ItemIds.Skip(1) : Catalogue().Select(i => i.ItemId))
            .Where(id => !shown.Contains(id) && !touched.Contains(id) && !results.Contains(id) && filter.Allows(id))
            .ToList();
        var random = request.Options.ExplorationSeed is { } seed ? new Random(seed) : Random.Shared;
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pool));
        foreach (var id in pool.Take(slots))
        {
            results.Add(id, 0, model is not null && model.TryGetIndex(id, out _) ? RecommendationSource.Model : RecommendationSource.Content,
                "Something new to try", exploration: true);
        }
    }

    private IReadOnlyList<string>? CategoriesOf(LoadedModel? model, string id) =>
        model is not null && model.TryGetIndex(id, out int index) ? model.Categories[index] : _store.GetItem(id)?.Categories;

    private LoadedModel? Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _model);
            if (model is null || model.TryAcquire())
            {
                return model;
            }
            // Retired between the read and the acquire: a newer model is already in place.
        }
    }

    private static ModelInfo Describe(LoadedModel model) => new(
        model.Manifest.ModelVersion, model.Manifest.Architecture, model.Manifest.Items.Count, model.Provider, model.FallbackReason);

    public void Dispose()
    {
        LoadedModel? model;
        lock (_swap)
        {
            model = _model;
            _model = null;
        }
        model?.Retire();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model v{Version} ({Architecture}) serving on {Provider}. {Fallback}")]
    private static partial void LogLoaded(ILogger logger, long version, string architecture, string provider, string fallback);
}
