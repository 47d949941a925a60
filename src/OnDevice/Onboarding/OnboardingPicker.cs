using OnDeviceReco.Inference;
using OnDeviceReco.Protocol;
using OnDeviceReco.Ranking;

namespace OnDeviceReco.Onboarding;

/// <summary>
/// Items to ask a brand-new user about. When the model bundle carries a question list (the server's choice for
/// coverage of the catalogue's text, <see cref="BundleManifest.Onboarding"/>), its items come first, in its order.
/// Otherwise, and once that list is used up: answerable ones (the popular head — on this device, then the app's or
/// the bundle's list) that together cover the catalogue. Greedy farthest-point selection (k-center): start with
/// the most popular item, then repeatedly take the item farthest from everything already chosen — by the model's
/// item embeddings, or by category overlap without a model — weighted towards the more popular, with a bonus for
/// a category not asked about yet.
/// </summary>
internal sealed class OnboardingPicker(BehaviorStore store, PopularityRecommender popularity, ItemCatalogue catalogue)
{
    /// <summary>
    /// The head is this many popular items per question (at least <see cref="MinHead"/>): wide enough to cover, narrow
    /// enough to be known. Chosen on the feedback loop's validation newcomers; measurements in docs/measurements.md.
    /// </summary>
    internal const int HeadPerQuestion = 20;
    private const int MinHead = 50;

    /// <summary>Added to an item's gain for the share of its categories no chosen item has.</summary>
    private const double CategoryBonus = 0.25;

    private sealed record Candidate(string Id, int ModelIndex, IReadOnlyList<string> Categories);

    /// <summary>Up to <see cref="RecommendationRequest.Count"/> items, in the order to ask them.</summary>
    public IReadOnlyList<OnboardingItem> Propose(LoadedModel? model, RecommendationRequest request, CandidateFilter filter)
    {
        var shown = store.GetShownItems(request.UserId);
        var items = Listed(model, request.Count, shown, filter);
        if (items.Count == request.Count)
        {
            return items;
        }
        var asked = items.Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
        var head = Head(model, request, filter, shown, asked);
        int count = Math.Min(request.Count, items.Count + head.Count);
        if (items.Count == count)
        {
            return items;
        }
        var distance = new double[head.Count];
        Array.Fill(distance, double.PositiveInfinity);
        var chosen = new bool[head.Count];
        var covered = items.SelectMany(i => i.Categories).ToHashSet(StringComparer.Ordinal);
        int next = 0; // the most popular item opens: the likeliest to be known
        while (true)
        {
            var candidate = head[next];
            chosen[next] = true;
            var fresh = candidate.Categories.Where(c => !covered.Contains(c)).ToList();
            items.Add(new OnboardingItem(candidate.Id, Title(model, candidate), candidate.Categories, items.Count + 1,
                Reason(items.Count == 0, fresh, candidate.ModelIndex > 0), candidate.ModelIndex > 0 ? RecommendationSource.Model : RecommendationSource.Popularity));
            covered.UnionWith(candidate.Categories);
            if (items.Count == count)
            {
                return items;
            }
            next = -1;
            double best = double.NegativeInfinity;
            for (int i = 0; i < head.Count; i++)
            {
                if (chosen[i])
                {
                    continue;
                }
                distance[i] = Math.Min(distance[i], Distance(model, candidate, head[i]));
                double gain = distance[i] * Answerability(i, head.Count) + CategoryBonus * NewShare(head[i].Categories, covered);
                if (gain > best)
                {
                    best = gain;
                    next = i;
                }
            }
        }
    }

    /// <summary>Up to <paramref name="count"/> items of the bundle's question list, in its order, that the user has neither touched nor been shown, allowed by the filters.</summary>
    private List<OnboardingItem> Listed(LoadedModel? model, int count, IReadOnlySet<string> shown, CandidateFilter filter)
    {
        var items = new List<OnboardingItem>(count);
        foreach (string id in model?.Manifest.Onboarding ?? [])
        {
            if (items.Count == count)
            {
                break;
            }
            if (!shown.Contains(id) && filter.Allows(id) && model!.TryGetIndex(id, out int index))
            {
                var candidate = new Candidate(id, index, catalogue.CategoriesOf(model, id) ?? []);
                items.Add(new OnboardingItem(id, Title(model, candidate), candidate.Categories, items.Count + 1,
                    "Popular, and unlike the items asked about before", RecommendationSource.Model));
            }
        }
        return items;
    }

    /// <summary>Popular items the user has neither touched nor been shown nor is being asked about, allowed by the filters; topped up from the model's vocabulary and the store's catalogue.</summary>
    private List<Candidate> Head(LoadedModel? model, RecommendationRequest request, CandidateFilter filter, IReadOnlySet<string> shown, HashSet<string> asked)
    {
        int size = Math.Max(MinHead, request.Count * HeadPerQuestion);
        var ids = new List<string>(size);
        var taken = new HashSet<string>(asked, StringComparer.Ordinal);
        void Offer(string id)
        {
            if (ids.Count < size && !shown.Contains(id) && filter.Allows(id) && taken.Add(id))
            {
                ids.Add(id);
            }
        }
        foreach (var item in popularity.Recommend(request with { Count = Math.Min(size + shown.Count + asked.Count, 100_000) }, filter, shown.Count))
        {
            Offer(item.ItemId);
        }
        for (int i = 1; model is not null && i < model.ItemCount + 1 && ids.Count < size; i++)
        {
            Offer(model.ItemId(i));
        }
        foreach (var item in ids.Count < size ? catalogue.Items() : [])
        {
            Offer(item.ItemId);
        }
        return ids.Select(id => new Candidate(id, model is not null && model.TryGetIndex(id, out int index) ? index : 0,
            catalogue.CategoriesOf(model, id) ?? [])).ToList();
    }

    /// <summary>0–1: half the cosine distance of the model's embeddings when it knows both items, else one minus the categories' Jaccard overlap.</summary>
    private static double Distance(LoadedModel? model, Candidate a, Candidate b)
    {
        if (model is not null && a.ModelIndex > 0 && b.ModelIndex > 0)
        {
            return Math.Clamp((1 - model.Similarity(a.ModelIndex, b.ModelIndex)) / 2, 0, 1);
        }
        int union = a.Categories.Union(b.Categories).Count();
        return union == 0 ? 1 : 1 - a.Categories.Intersect(b.Categories).Count() / (double)union;
    }

    /// <summary>1 for the most popular item of the head, falling to ½ for the least: covering never wins over being known by much.</summary>
    private static double Answerability(int rank, int headSize) => 1 - 0.5 * rank / headSize;

    private static double NewShare(IReadOnlyList<string> categories, HashSet<string> covered) =>
        categories.Count == 0 ? 0 : categories.Count(c => !covered.Contains(c)) / (double)categories.Count;

    private static string Title(LoadedModel? model, Candidate candidate) =>
        model is not null && candidate.ModelIndex > 0 ? model.Title(candidate.ModelIndex) : candidate.Id;

    private static string Reason(bool first, List<string> freshCategories, bool byEmbeddings) =>
        first ? "Among the most popular" + (freshCategories.Count > 0 ? $" ({string.Join(", ", freshCategories)})" : "")
        : freshCategories.Count > 0 ? $"Popular in {string.Join(", ", freshCategories)}, a category not asked about yet"
        : byEmbeddings ? "Popular and unlike the items asked about before"
        : "Popular";
}
