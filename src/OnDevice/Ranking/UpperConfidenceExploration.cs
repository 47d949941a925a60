using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// Exploration slots for the items whose estimate is least certain among those still plausible. Plausible: the
/// items the model scores above the catalogue's median in this very call (its one run keeps the better half,
/// <see cref="LoadedModel.BetterHalf"/>), or the better half of the popular items when the model was not run.
/// Each plausible item scores <c>relevance + c·σ·e</c> with <c>σ = √(ln(2 + N) / (1 + n + g))</c>: relevance
/// falls linearly from 1 to 0 down the plausible list; N is how many impressions this user has had, n how many of
/// them were this item, g a pseudo-count of the evidence training had on it (up to <see cref="TrainingEvidence"/>
/// for the most popular item of the bundle, 0 for an item off its popularity list) plus on how many devices it was
/// shown (<see cref="PopulationExposure"/>, from the server: what the population already tried, this
/// device need not try again); e is this user's own
/// exponential draw for the item (mean 1, never negative: <see cref="SeededDraw"/>). Without e every user with a
/// similar history would try the same few items, and devices never see each other's tries: the draw spreads users
/// over the uncertain items, the wider the less is known (σ), while the mean bonus stays the upper-confidence one
/// and uncertainty never counts against an item. An item shown again and again loses its bonus and makes way for
/// the next; deterministic for a given store, model and user.
/// </summary>
internal sealed class UpperConfidenceExploration(BehaviorStore store, PopularityRecommender popularity, PopulationExposure exposure)
{
    /// <summary>Weight of the uncertainty bonus against relevance (both about 0–1).</summary>
    internal const double Confidence = 1.0;

    /// <summary>Impressions the most popular training item counts as, so training evidence and device evidence add up.</summary>
    internal const double TrainingEvidence = 4.0;

    /// <summary>
    /// Impressions one device that showed the item counts as (<see cref="PopulationExposure"/>). Chosen on the MovieLens
    /// loop's validation seed 11 (issue 17): 1 → coverage 58.9 %, v2 NDCG@10 0.0625; 3 → 61.6 %, 0.0694;
    /// 10 → 61.9 %, 0.0632 (random exploration: 56.4 %, 0.0585).
    /// </summary>
    internal const double PopulationEvidence = 3.0;

    /// <summary>Popular items considered when the model was not run (half of them plausible).</summary>
    private const int PopularPool = 200;

    public void Fill(LoadedModel? model, (int Index, float Score)[]? candidates, IReadOnlySet<string> touched,
        RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var plausible = Plausible(model, candidates, request, filter);
        var shown = store.GetShownCounts(request.UserId);
        long impressions = shown.Values.Sum(c => (long)c);
        double log = Math.Log(2 + impressions);
        var best = new TopScores(slots);
        for (int rank = 0; rank < plausible.Count; rank++)
        {
            string id = plausible[rank];
            if (touched.Contains(id) || results.Contains(id))
            {
                continue;
            }
            double relevance = 1 - rank / (double)plausible.Count;
            double evidence = shown.GetValueOrDefault(id) + TrainingEvidenceOf(model, id) + PopulationEvidence * exposure.ShownTo(id);
            double uncertainty = Math.Sqrt(log / (1 + evidence));
            best.Offer(id, relevance + Confidence * uncertainty * SeededDraw.Exponential(request.UserId, id));
        }
        foreach (var (id, score) in best.Items)
        {
            results.Add(id, score, model is not null && model.TryGetIndex(id, out _) ? RecommendationSource.Model : RecommendationSource.Popularity,
                Explanations.Exploration, exploration: true);
        }
    }

    /// <summary>The better half of the catalogue by this call's (wide) run, or of the popular items, allowed by the filters, best first.</summary>
    private List<string> Plausible(LoadedModel? model, (int Index, float Score)[]? candidates, RecommendationRequest request, CandidateFilter filter)
    {
        var pool = new List<string>();
        if (model is not null && candidates is not null)
        {
            foreach (var (index, score) in candidates.Take(model.BetterHalf))
            {
                if (!float.IsFinite(score))
                {
                    continue;
                }
                string id = model.ItemId(index); // looked up once: this runs for up to 5,000 candidates per call
                if (filter.Allows(id))
                {
                    pool.Add(id);
                }
            }
            return pool;
        }
        var popular = popularity.Recommend(request with { Count = PopularPool }, filter, 0);
        pool.AddRange(popular.Take((popular.Count + 1) / 2).Select(p => p.ItemId));
        return pool;
    }

    /// <summary>g: <see cref="TrainingEvidence"/> for the bundle's most popular item, falling linearly to 0 at the end of its list and off it.</summary>
    private static double TrainingEvidenceOf(LoadedModel? model, string id)
    {
        if (model is null || !model.TryGetIndex(id, out int index) || model.TrainingPopularityRank[index] < 0)
        {
            return 0;
        }
        return TrainingEvidence * (1 - model.TrainingPopularityRank[index] / (double)Math.Max(1, model.Manifest.Popularity.Count));
    }
}
