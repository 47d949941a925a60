using System.Runtime.InteropServices;
using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>Exploration slots: random allowed items this user has never been shown nor touched, marked as such.</summary>
internal sealed class ExplorationPicker(BehaviorStore store, ItemCatalogue catalogue)
{
    /// <summary>Adds up to <paramref name="slots"/> exploration items, drawn from the model's vocabulary, else the store's catalogue.</summary>
    public void Fill(LoadedModel? model, IReadOnlySet<string> touched, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
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
