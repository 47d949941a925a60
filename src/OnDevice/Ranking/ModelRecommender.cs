using Microsoft.Extensions.Logging;
using OnDeviceReco.Inference;
using OnDeviceReco.Onboarding;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The full chain: the sequence model when it knows something the user did (<see cref="ModelRanker"/>),
/// content (categories against the user's profile, <see cref="ContentRanker"/>) when it does not, the user's
/// cohorts (attributes and searches, <see cref="CohortRanker"/>) when neither can, exploration
/// slots when asked (<see cref="ExplorationPicker"/>), popularity last. Every link applies the request's
/// filters and explains its items. Models are swapped atomically under load (<see cref="ModelSlot"/>).
/// </summary>
internal sealed partial class ModelRecommender : IDisposable
{
    private readonly BehaviorStore _store;
    private readonly PopularityRecommender _popularity;
    private readonly InferenceOptions _options;
    private readonly ILogger _logger;
    private readonly ModelSlot _model = new();
    private readonly UserHistoryCache _histories;
    private readonly ItemCatalogue _catalogue;
    private readonly ContentRanker _content;
    private readonly ExplorationPicker _exploration;
    private readonly CohortRanker _cohorts;
    private readonly OnboardingPicker _onboarding;
    private readonly PopulationExposure _exposure = new();

    public ModelRecommender(BehaviorStore store, PopularityRecommender popularity, InferenceOptions options, ILogger logger)
    {
        _store = store;
        _popularity = popularity;
        _options = options;
        _logger = logger;
        _histories = new UserHistoryCache(store);
        _catalogue = new ItemCatalogue(store);
        _content = new ContentRanker(store, popularity, _catalogue);
        _exploration = new ExplorationPicker(store, _catalogue, popularity, _exposure);
        _cohorts = new CohortRanker(store);
        _onboarding = new OnboardingPicker(store, popularity, _catalogue);
    }

    /// <summary>What is serving now, or null before the first model.</summary>
    public ModelInfo? Current => _model.Current is { } model ? Describe(model) : null;

    /// <summary>
    /// Builds and warms a session for <paramref name="bundle"/>, then swaps it in. If anything fails the
    /// current model keeps serving and the exception says why. Calls in flight finish on the old model.
    /// </summary>
    public ModelInfo Load(VerifiedBundle bundle)
    {
        var cohorts = CohortRanker.Read(bundle); // a malformed table refuses the bundle before anything is swapped
        var loaded = LoadedModel.Load(bundle, _options);
        _model.Swap(loaded);
        _cohorts.Use(cohorts);
        _popularity.SetBundledPopularityList(bundle.Manifest.Popularity);
        var info = Describe(loaded);
        LogLoaded(_logger, info.ModelVersion, info.Architecture, info.Provider, loaded.FallbackReason ?? "");
        return info;
    }

    /// <summary>Explores against <paramref name="counts"/> from now on (a verified table: <see cref="Protocol.Exposure.SignedExposure"/>).</summary>
    public void UseExposure(Protocol.Exposure.ExposureCounts counts) => _exposure.Use(counts);

    /// <summary>Items in the exposure table in use (0 before the first).</summary>
    public int ExposureItems => _exposure.Items;

    /// <summary>Recommends and reports the version of the model that actually served (null without one).</summary>
    public IReadOnlyList<Recommendation> Recommend(RecommendationRequest request, out long? modelVersion)
    {
        using var lease = _model.Acquire();
        var model = lease.Model;
        modelVersion = model?.Manifest.ModelVersion;
        CommitPending();
        var results = new ResultBuilder(request.Count);
        var user = _histories.Get(request.UserId, model?.SequenceLength ?? 1);
        var seen = request.Options.ExcludeSeen ? user.Interacted : new HashSet<string>();
        var filter = new CandidateFilter(request.Options, seen, id => _catalogue.CategoriesOf(model, id));
        int explore = (int)Math.Round(Math.Clamp(request.Options.Exploration, 0, 1) * request.Count);
        bool wide = explore > 0 && request.Options.ExplorationStrategy == ExplorationStrategy.UpperConfidence;
        using var candidates = model is not null
            ? ModelRanker.Fill(model, user.Known(model), request, filter, results, request.Count - explore, wide, () => NotSeenIndices(model, request.UserId))
            : null;
        // Content and cohorts only fill the slots left before exploration's; with those taken they would add nothing,
        // and content would still have scanned the whole catalogue.
        int ranked = request.Count - explore;
        if (results.Items.Count < ranked)
        {
            _content.Fill(model, request, filter, results, ranked);
        }
        if (results.Items.Count < ranked)
        {
            _cohorts.Fill(request, filter, results, ranked);
        }
        if (explore > 0)
        {
            _exploration.Fill(model, candidates, user.Interacted, request, filter, results, explore);
        }
        if (!results.IsFull)
        {
            results.Fill(_popularity.Recommend(request with { Count = Math.Min(request.Count + results.Items.Count, 100_000) }, filter, seen.Count)
                .Where(r => !results.Contains(r.ItemId)));
        }
        return results.Items;
    }

    /// <summary>Items to ask a new user about (see <see cref="OnboardingPicker"/>), with the request's filters applied.</summary>
    public IReadOnlyList<OnboardingItem> ProposeOnboarding(RecommendationRequest request)
    {
        using var lease = _model.Acquire();
        var model = lease.Model;
        CommitPending();
        var seen = request.Options.ExcludeSeen ? _histories.Get(request.UserId, 1).Interacted : new HashSet<string>();
        return _onboarding.Propose(model, request, new CandidateFilter(request.Options, seen, id => _catalogue.CategoriesOf(model, id)));
    }

    /// <summary>The model indices of the items <paramref name="userId"/> answered "not seen" in onboarding.</summary>
    private List<int> NotSeenIndices(LoadedModel model, string userId) =>
        _store.GetOnboardingAnswers(userId, OnboardingAnswer.NotSeen).Select(id => model.TryGetIndex(id, out int index) ? index : 0).Where(index => index > 0).ToList();

    /// <summary>
    /// Real time: whatever was tracked a moment ago is part of the history an answer is built on. When the disk
    /// refuses the commit (full), the answer comes from what is committed: a full disk never stops recommendations.
    /// </summary>
    private void CommitPending()
    {
        if (_store.PendingEvents > 0)
        {
            _store.TryFlush();
        }
    }

    private static ModelInfo Describe(LoadedModel model) => new(
        model.Manifest.ModelVersion, model.Manifest.Architecture, model.ItemCount, model.Provider, model.FallbackReason);

    public void Dispose() => _model.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Model v{Version} ({Architecture}) serving on {Provider}. {Fallback}")]
    private static partial void LogLoaded(ILogger logger, long version, string architecture, string provider, string fallback);
}
