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

    public void Fill(LoadedModel? model, RankedRow? candidates, IReadOnlySet<string> touched,
        RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var best = new TopScores(slots);
        if (model is not null && candidates is not null)
        {
            FillFromModel(model, candidates, touched, request, filter, results, best);
        }
        else
        {
            FillFromPopular(model, touched, request, filter, results, best);
        }
        foreach (var (id, score) in best.Items)
        {
            results.Add(id, score, model is not null && model.TryGetIndex(id, out _) ? RecommendationSource.Model : RecommendationSource.Popularity,
                Explanations.Exploration, exploration: true);
        }
    }

    /// <summary>
    /// The better half by this call's wide run, allowed by the filters: thousands of candidates held in buckets that
    /// follow the order, not in order (<see cref="RankedRow"/>). A candidate's relevance is at most the one of its
    /// bucket's first place, so the first bound (<see cref="Pass.RuledOut"/>) is tested with that, before any rank is
    /// known; only the few candidates it cannot rule out get their exact rank (counted or sorted within their bucket)
    /// and the exact test. The picks do not depend on the order candidates are scored in (the best few by score, equal
    /// scores by id, and a bar that only rises), so they, their order and scores are those of a pass in rank order.
    /// </summary>
    private void FillFromModel(LoadedModel model, RankedRow candidates, IReadOnlySet<string> touched, RecommendationRequest request,
        CandidateFilter filter, ResultBuilder results, TopScores best)
    {
        candidates.Cut(Math.Min(candidates.Count, model.BetterHalf));
        int plausible = Plausible(model, candidates, filter);
        var pass = NewPass(model, _draws.For(model, request.UserId), plausible, touched, request, results, best);
        int before = 0;
        for (int b = 0; b < candidates.Buckets; b++)
        {
            var entries = candidates.Bucket(b);
            if (entries.Length == 0)
            {
                continue;
            }
            // The bucket's first place bounds every entry's relevance from above; the bar now is at most the bar at any
            // later test, so whatever this rules out, the exact test would have too.
            double relevanceAtMost = 1 - before / (double)plausible;
            var survivors = candidates.Scratch(entries.Length);
            int kept = 0;
            foreach (ulong key in entries)
            {
                int index = RankedRow.IndexOf(key);
                pass.Bound(index);
                if (!pass.RuledOut(relevanceAtMost, index))
                {
                    survivors[kept++] = key;
                }
            }
            foreach (ulong key in survivors[..kept])
            {
                pass.Consider(before + candidates.PlaceInBucket(b, key), null, RankedRow.IndexOf(key));
            }
            before += entries.Length;
        }
    }

    /// <summary>The better half of the popular items when the model was not run, scored in order.</summary>
    private void FillFromPopular(LoadedModel? model, IReadOnlySet<string> touched, RecommendationRequest request, CandidateFilter filter,
        ResultBuilder results, TopScores best)
    {
        var popular = popularity.Recommend(request with { Count = PopularPool }, filter, 0);
        var pool = popular.Take((popular.Count + 1) / 2).ToList();
        var pass = NewPass(model, null, pool.Count, touched, request, results, best);
        for (int rank = 0; rank < pool.Count; rank++)
        {
            string id = pool[rank].ItemId;
            pass.Consider(rank, id, model is not null && model.TryGetIndex(id, out int index) ? index : 0);
        }
    }

    /// <summary>
    /// Drops from <paramref name="candidates"/> what the filters refuse and the scores that are not finite, keeping each
    /// entry's model index (a model item's id is read only when it is scored, so this pass over thousands of candidates
    /// touches no string when the filter can work on indices); returns how many are left.
    /// </summary>
    private static int Plausible(LoadedModel model, RankedRow candidates, CandidateFilter filter)
    {
        var refused = filter.RefusedIndices(model, candidates.Count);
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
            int count = 0;
            for (int b = 0; b < candidates.Buckets; b++)
            {
                var entries = candidates.Bucket(b);
                int kept = 0;
                foreach (ulong key in entries)
                {
                    int index = RankedRow.IndexOf(key);
                    if (float.IsFinite(candidates.ScoreOf(key))
                        && (refused is not null ? bits is null || (bits[index >> 6] & (1UL << index)) == 0 : filter.Allows(model.ItemId(index))))
                    {
                        entries[kept++] = key;
                    }
                }
                candidates.Shrink(b, kept);
                count += kept;
            }
            return count;
        }
        finally
        {
            if (bits is not null)
            {
                ArrayPool<ulong>.Shared.Return(bits);
            }
        }
    }

    private Pass NewPass(LoadedModel? model, byte[]? cached, int plausible, IReadOnlySet<string> touched, RecommendationRequest request,
        ResultBuilder results, TopScores best) =>
        new(model, cached, plausible, touched, new ShownCounts(_shownCounts.Get(request.UserId), model, plausible), exposure.For(model),
            SeededDraw.ForUser(request.UserId), results, best);

    /// <summary>One call's scoring of plausible candidates: the formula, and the bounds that skip it exactly.</summary>
    private sealed class Pass
    {
        private readonly LoadedModel? _model;
        private readonly byte[]? _cached;
        private readonly int _plausible;
        private readonly IReadOnlySet<string> _touched;
        private readonly ResultBuilder _results;
        private readonly TopScores _best;
        private readonly ShownCounts _shown;
        private readonly PopulationExposure.Lookup _population;
        private readonly double _log;
        private readonly SeededDraw.UserDraws _draws;

        public Pass(LoadedModel? model, byte[]? cached, int plausible, IReadOnlySet<string> touched, ShownCounts shown,
            PopulationExposure.Lookup population, SeededDraw.UserDraws draws, ResultBuilder results, TopScores best)
        {
            _model = model;
            _cached = cached;
            _plausible = plausible;
            _touched = touched;
            _shown = shown;
            _population = population;
            _log = Math.Log(2 + shown.Total);
            _draws = draws;
            _results = results;
            _best = best;
        }

        /// <summary>
        /// Hashes the draw of the model item at <paramref name="index"/> when no call bounded it yet, so that the first
        /// bound can rule it out before its rank is known: a user met for the first time would otherwise have every
        /// candidate ranked, and each would be hashed in <see cref="Consider"/> all the same.
        /// </summary>
        public void Bound(int index)
        {
            if (_cached is not null && index > 0 && _cached[index] == 0)
            {
                DrawCache.Remember(_cached, index, _draws.Uniform(_model!.ItemId(index)));
            }
        }

        /// <summary>
        /// True when this user's earlier calls bound the draw of the model item at <paramref name="index"/> so that even
        /// with no evidence and a relevance of <paramref name="relevance"/> it cannot reach the bar: relevance + c·σ·bound
        /// &lt; bar, tested squared (σ² = log / (1 + evidence)) so the many items it rules out cost no square root or division.
        /// </summary>
        public bool RuledOut(double relevance, int index)
        {
            if (_cached is null || index <= 0)
            {
                return false;
            }
            double gap = _best.Bar - relevance;
            double bound = Confidence * DrawCache.AtMost(_cached, index);
            return gap > 0 && _log * (bound * bound) < gap * gap;
        }

        /// <summary>Scores the candidate at <paramref name="rank"/> of the plausible list and offers it.</summary>
        public void Consider(int rank, string? known, int index)
        {
            // A model item's id is read only when something needs it: most candidates are skipped before.
            string? id = known;
            double relevance = 1 - rank / (double)_plausible;
            double evidence;
            // Most of thousands of draws cannot reach the slots: a bound on the draw tells so, from this user's
            // earlier calls without hashing the id, else without the logarithm. Each bound is never below the draw
            // and the score is monotone in it, so a skipped item would not have been kept. The margin of the cached
            // bound (1e-6 of a draw) is far above the rounding of the squared form.
            if (_cached is not null && index > 0)
            {
                if (RuledOut(relevance, index))
                {
                    return;
                }
                double gap = _best.Bar - relevance;
                double bound = Confidence * DrawCache.AtMost(_cached, index);
                // Evidence is never negative: a draw that cannot reach the bar with none was ruled out before the
                // three tables are read at this item's (random) index.
                evidence = EvidenceOf(_shown, _population, _model, id, index);
                if (gap > 0 && _log * (bound * bound) < gap * gap * (1 + evidence))
                {
                    return;
                }
            }
            else
            {
                evidence = EvidenceOf(_shown, _population, _model, id, index);
            }
            double uncertainty = Math.Sqrt(_log / (1 + evidence));
            double uniform = _draws.Uniform(id ??= _model!.ItemId(index));
            if (_cached is not null && index > 0)
            {
                DrawCache.Remember(_cached, index, uniform);
            }
            if (relevance + Confidence * uncertainty * SeededDraw.UserDraws.ExponentialAtMost(uniform) < _best.Bar)
            {
                return;
            }
            double score = relevance + Confidence * uncertainty * -Math.Log(uniform);
            // Touched and already listed items are skipped; asking only about a score that would make the list
            // gives the same picks (a skipped item never changes what is kept) without thousands of set lookups.
            if (_best.Admits(id, score) && !_touched.Contains(id) && !_results.Contains(id))
            {
                _best.Offer(id, score);
            }
        }
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
