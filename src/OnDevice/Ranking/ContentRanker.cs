using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The second link of the chain, for what the model cannot answer: items in the categories the user's profile
/// favours (<see cref="ContentScorer"/>), popular ones on this device first.
/// </summary>
internal sealed class ContentRanker(BehaviorStore store, PopularityRecommender popularity, ItemCatalogue catalogue)
{
    private const int TieBreakItems = 1_000;

    /// <summary>Adds content-scored items until <paramref name="slots"/> are taken in all (or the request is full).</summary>
    public void Fill(LoadedModel? model, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var profile = store.GetProfile(request.UserId);
        if (profile.CategoryAffinities.Count == 0)
        {
            return;
        }
        var affinities = profile.CategoryAffinities.ToDictionary(a => a.Category, a => a.Score, StringComparer.Ordinal);
        var popular = popularity.Popular(TieBreakItems).ToDictionary(p => p.ItemId, p => p.Users, StringComparer.Ordinal);
        var scored = new List<(string Id, double Score, string? Category)>();
        foreach (var (id, categories) in Universe(model, request))
        {
            if (results.Contains(id) || !filter.Allows(id))
            {
                continue;
            }
            // Taste first, then how many people on this device chose it: a cold-start list of popular items
            // in the user's categories, not of obscure items that happen to list the same categories.
            double score = ContentScorer.Score(affinities, categories) * Math.Log(2 + popular.GetValueOrDefault(id));
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
            results.Add(id, score, RecommendationSource.Content, Explanations.Taste(category));
        }
    }

    /// <summary>Items content scoring may consider: the app's candidate set, else the model's vocabulary and the store's catalogue.</summary>
    private IEnumerable<(string Id, IReadOnlyList<string> Categories)> Universe(LoadedModel? model, RecommendationRequest request)
    {
        if (request.Options.Candidates is { } candidates)
        {
            foreach (var id in candidates)
            {
                if (catalogue.CategoriesOf(model, id) is { } categories)
                {
                    yield return (id, categories);
                }
            }
            yield break;
        }
        if (model is not null)
        {
            for (int i = 1; i <= model.ItemCount; i++)
            {
                yield return (model.ItemId(i), model.Categories(i));
            }
        }
        foreach (var item in catalogue.Items())
        {
            if (model is null || !model.TryGetIndex(item.ItemId, out _))
            {
                yield return (item.ItemId, item.Categories);
            }
        }
    }
}
