using System.Runtime.InteropServices;
using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// Exploration slots, marked as such: by upper confidence (<see cref="UpperConfidenceExploration"/>, the default) or
/// uniformly random allowed items this user has never been shown nor touched.
/// </summary>
internal sealed class ExplorationPicker(BehaviorStore store, ItemCatalogue catalogue, PopularityRecommender popularity, PopulationExposure exposure)
{
    private readonly UpperConfidenceExploration _upperConfidence = new(store, popularity, exposure);

    /// <summary>Adds up to <paramref name="slots"/> exploration items.</summary>
    /// <param name="model">The serving model, or null.</param>
    /// <param name="candidates">The model's candidates of this call, best first (with upper confidence the run keeps the catalogue's better half), or null when the model was not run.</param>
    /// <param name="touched">Items the user interacted with.</param>
    /// <param name="request">The request.</param>
    /// <param name="filter">The request's filters.</param>
    /// <param name="results">The response so far.</param>
    /// <param name="slots">How many exploration slots to fill.</param>
    public void Fill(LoadedModel? model, RankedRow? candidates, IReadOnlySet<string> touched,
        RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        if (request.Options.ExplorationStrategy == ExplorationStrategy.Random)
        {
            FillRandom(model, touched, request, filter, results, slots);
        }
        else
        {
            _upperConfidence.Fill(model, candidates, touched, request, filter, results, slots);
        }
    }

    /// <summary>Random items drawn from the model's vocabulary, else the store's catalogue.</summary>
    private void FillRandom(LoadedModel? model, IReadOnlySet<string> touched, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var shown = store.GetShownItems(request.UserId);
        var pool = (model is not null ? Enumerable.Range(1, model.ItemCount).Select(model.ItemId) : catalogue.Items().Select(i => i.ItemId))
            .Where(id => !shown.Contains(id) && !touched.Contains(id) && !results.Contains(id) && filter.Allows(id))
            .ToList();
        var random = request.Options.ExplorationSeed is { } seed ? new Random(seed) : Random.Shared;
        random.Shuffle(CollectionsMarshal.AsSpan(pool));
        foreach (var id in pool.Take(slots))
        {
            results.Add(id, 0, model is not null && model.TryGetIndex(id, out _) ? RecommendationSource.Model : RecommendationSource.Content,
                Explanations.Exploration, exploration: true);
        }
    }
}
