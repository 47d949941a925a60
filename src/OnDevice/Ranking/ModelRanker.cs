using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The first link of the chain: the sequence model's candidates for the user's recent history, filtered,
/// diversified (MMR) and explained by the history item each is most like.
/// </summary>
internal static class ModelRanker
{
    /// <summary>
    /// Adds up to <paramref name="slots"/> items; adds none when the model knows nothing the user did.
    /// <paramref name="wide"/> asks the run for the better half of the catalogue (<see cref="LoadedModel.WideCandidates"/>)
    /// for exploration and returns it (unfiltered, rented: the caller disposes it), so exploration needs no other run;
    /// null when not wide or the model was not run. The list itself still comes from the usual pool.
    /// <paramref name="notSeen"/> (asked only for a short history) gives the items the user answered "not seen" in
    /// onboarding (<see cref="NotSeenEvidence"/>).
    /// </summary>
    public static RankedRow? Fill(LoadedModel model, KnownHistory known, RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots,
        bool wide = false, Func<IReadOnlyList<int>>? notSeen = null)
    {
        var history = known.Indices;
        if (history.Length == 0)
        {
            return null; // nothing the model knows: content and popularity take over
        }
        var ranked = wide ? model.RunWide(history, request.Options.ExcludeSeen) : null;
        var candidates = ranked?.Best ?? model.Run(history, request.Options.ExcludeSeen, out _);
        if (notSeen is not null && history.Length <= NotSeenEvidence.MaxHistory)
        {
            var answers = notSeen();
            if (ranked is null)
            {
                candidates = NotSeenEvidence.Apply(model, candidates, answers);
            }
            else if (answers.Count > 0)
            {
                // The answers re-rank every wide candidate, so all of them are put in order first.
                var rescored = NotSeenEvidence.Apply(model, ranked.ToOrdered(), answers);
                ranked.FromOrdered(rescored);
                candidates = ranked.Best = rescored[..Math.Min(rescored.Length, model.Candidates)];
            }
        }
        // Without diversity re-ranking only the first allowed items are needed: stop filtering there.
        bool rerank = request.Options.Relevance < 1;
        var pool = new List<(int Index, float Score)>(rerank ? model.Candidates : slots);
        foreach (var candidate in candidates.AsSpan(0, Math.Min(candidates.Length, model.Candidates)))
        {
            if (!rerank && pool.Count >= slots)
            {
                break;
            }
            if (float.IsFinite(candidate.Score) && filter.Allows(model.ItemId(candidate.Index)))
            {
                pool.Add(candidate);
            }
        }
        var picked = Diversify(model, pool, slots, request.Options.Relevance);
        using var historyRows = UnitRows.Gather(model, history);
        foreach (int p in picked)
        {
            var (index, score) = pool[p];
            results.Add(model.ItemId(index), score, RecommendationSource.Model, Explanations.BecauseYou(model, index, history, known.Events, historyRows));
        }
        return ranked;
    }

    /// <summary>The pool positions to show, in order: MMR over the pool's cosines (or category overlap without vectors).</summary>
    private static List<int> Diversify(LoadedModel model, List<(int Index, float Score)> pool, int slots, double relevance)
    {
        var scores = pool.ConvertAll(c => c.Score);
        if (relevance >= 1)
        {
            return MaximalMarginalRelevance.Select(scores, slots, relevance, (_, _) => 0);
        }
        using var rows = UnitRows.Gather(model, pool.ConvertAll(c => c.Index));
        if (rows is null)
        {
            return MaximalMarginalRelevance.Select(scores, slots, relevance, (a, b) => model.Similarity(pool[a].Index, pool[b].Index));
        }
        return MaximalMarginalRelevance.Select(scores, slots, relevance, rows.Cosine);
    }
}
