using System.Buffers;
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
    /// Impressions one device that showed the item counts as (<see cref="PopulationExposure"/>). Chosen on the feedback
    /// loop's validation run, where it gave the best model quality at near-best coverage; measurements in docs/measurements.md.
    /// </summary>
    internal const double PopulationEvidence = 3.0;

    /// <summary>Popular items considered when the model was not run (half of them plausible).</summary>
    private const int PopularPool = 200;

    private readonly ShownCountsCache _shownCounts = new(store);
    private readonly DrawCache _draws = new();

    public void Fill(LoadedModel? model, (int Index, float Score)[]? candidates, IReadOnlySet<string> touched,
        RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        // Up to 5,000 candidates per call: the pool is rented, and each entry keeps its model index so nothing
        // looks an id up again; a model item's id (the model's cached string) is read only when it is scored.
        var pool = ArrayPool<(string? Id, int Index)>.Shared.Rent(model is not null && candidates is not null ? Math.Max(1, Math.Min(candidates.Length, model.BetterHalf)) : PopularPool);
        int count = 0;
        try
        {
            count = Plausible(model, candidates, request, filter, pool);
            var plausible = pool.AsSpan(0, count);
            var shown = new ShownCounts(_shownCounts.Get(request.UserId), model, plausible.Length);
            var population = exposure.For(model);
            double log = Math.Log(2 + shown.Total);
            var draws = SeededDraw.ForUser(request.UserId);
            var cached = model is not null && candidates is not null ? _draws.For(model, request.UserId) : null;
            var best = new TopScores(slots);
            for (int rank = 0; rank < plausible.Length; rank++)
            {
                var (known, index) = plausible[rank];
                // A model item's id is read only when something needs it: most candidates are skipped before.
                string? id = known;
                double relevance = 1 - rank / (double)plausible.Length;
                double evidence;
                // Most of thousands of draws cannot reach the slots: a bound on the draw tells so, from this user's
                // earlier calls without hashing the id, else without the logarithm. Each bound is never below the draw
                // and the score is monotone in it, so a skipped item would not have been kept. The first test is
                // relevance + c·σ·bound < bar squared (σ² = log / (1 + evidence)), so the many items it rules out cost no
                // square root or division; the bounds' margin (1e-6 of a draw) is far above the rounding of either form.
                if (cached is not null && index > 0)
                {
                    double gap = best.Bar - relevance;
                    double bound = Confidence * DrawCache.AtMost(cached, index);
                    // Evidence is never negative: a draw that cannot reach the bar with none is ruled out before the
                    // three tables are read at this item's (random) index.
                    double reach = log * (bound * bound);
                    if (gap > 0 && reach < gap * gap)
                    {
                        continue;
                    }
                    evidence = EvidenceOf(shown, population, model, id, index);
                    if (gap > 0 && reach < gap * gap * (1 + evidence))
                    {
                        continue;
                    }
                }
                else
                {
                    evidence = EvidenceOf(shown, population, model, id, index);
                }
                double uncertainty = Math.Sqrt(log / (1 + evidence));
                double uniform = draws.Uniform(id ??= model!.ItemId(index));
                if (cached is not null && index > 0)
                {
                    DrawCache.Remember(cached, index, uniform);
                }
                if (relevance + Confidence * uncertainty * SeededDraw.UserDraws.ExponentialAtMost(uniform) < best.Bar)
                {
                    continue;
                }
                double score = relevance + Confidence * uncertainty * -Math.Log(uniform);
                // Touched and already listed items are skipped; asking only about a score that would make the list
                // gives the same picks (a skipped item never changes what is kept) without thousands of set lookups.
                if (best.Admits(id, score) && !touched.Contains(id) && !results.Contains(id))
                {
                    best.Offer(id, score);
                }
            }
            foreach (var (id, score) in best.Items)
            {
                results.Add(id, score, model is not null && model.TryGetIndex(id, out _) ? RecommendationSource.Model : RecommendationSource.Popularity,
                    Explanations.Exploration, exploration: true);
            }
        }
        finally
        {
            pool.AsSpan(0, count).Clear(); // the pooled array holds no ids once returned
            ArrayPool<(string? Id, int Index)>.Shared.Return(pool);
        }
    }

    /// <summary>
    /// Writes the better half of the catalogue by this call's (wide) run, or of the popular items, allowed by the
    /// filters, best first, into <paramref name="pool"/>, each with its model index (0 when the model does not know
    /// it) and, for a popular item, its id (the model's items leave it null: the id is read when scored, so this pass
    /// over thousands of candidates touches no string when the filter can work on indices); returns how many.
    /// </summary>
    private int Plausible(LoadedModel? model, (int Index, float Score)[]? candidates, RecommendationRequest request, CandidateFilter filter,
        (string? Id, int Index)[] pool)
    {
        int count = 0;
        if (model is not null && candidates is not null)
        {
            var better = candidates.AsSpan(0, Math.Min(candidates.Length, model.BetterHalf));
            var refused = filter.RefusedIndices(model, better.Length);
            // The few refused indices as bits: a bit test per candidate instead of a set lookup.
            var bits = refused is { Count: > 0 } ? ArrayPool<ulong>.Shared.Rent((model.ItemCount >> 6) + 1) : null;
            try
            {
                if (bits is not null)
                {
                    Array.Clear(bits);
                    foreach (int index in refused!)
                    {
                        bits[index >> 6] |= 1UL << index;
                    }
                }
                foreach (var (index, score) in better)
                {
                    if (float.IsFinite(score) && (refused is not null ? bits is null || (bits[index >> 6] & (1UL << index)) == 0 : filter.Allows(model.ItemId(index))))
                    {
                        pool[count++] = (null, index);
                    }
                }
            }
            finally
            {
                if (bits is not null)
                {
                    ArrayPool<ulong>.Shared.Return(bits);
                }
            }
            return count;
        }
        var popular = popularity.Recommend(request with { Count = PopularPool }, filter, 0);
        foreach (var item in popular.Take((popular.Count + 1) / 2))
        {
            pool[count++] = (item.ItemId, model is not null && model.TryGetIndex(item.ItemId, out int index) ? index : 0);
        }
        return count;
    }

    /// <summary>n + g: impressions of the item to this user, training's pseudo-count and the population's.</summary>
    private static double EvidenceOf(ShownCounts shown, PopulationExposure.Lookup population, LoadedModel? model, string? id, int index) =>
        shown.Of(id, index) + TrainingEvidenceOf(model, index) + PopulationEvidence * population.Of(id, index);

    /// <summary>g: <see cref="TrainingEvidence"/> for the bundle's most popular item, falling linearly to 0 at the end of its list and off it.</summary>
    /// <param name="model">The serving model, or null.</param>
    /// <param name="index">The item's model index, 0 when the model does not know it.</param>
    private static double TrainingEvidenceOf(LoadedModel? model, int index)
    {
        if (model is null || index <= 0 || model.TrainingPopularityRank[index] < 0)
        {
            return 0;
        }
        return TrainingEvidence * (1 - model.TrainingPopularityRank[index] / (double)Math.Max(1, model.Manifest.Popularity.Count));
    }
}
