using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// "I have not seen it" about a popular item is evidence too: the user is less likely to be in the audience of that
/// item and of items like it. While the model knows only a few items of a user (a newcomer after onboarding, whose
/// history is one or two liked items, so the model's scores rest on very little), each candidate's score is lowered
/// by <see cref="Weight"/> × its largest cosine (the model's item embeddings) to an item the user
/// answered "not seen" in onboarding. Only the answers count, not ordinary impressions: "I do not know it" is a
/// statement, an impression not taken is not. A longer history speaks for itself, so it is left alone. Kept because, on
/// the feedback loop's validation newcomers, it was the only variant that lost on no measure; measurements in docs/measurements.md.
/// </summary>
internal static class NotSeenEvidence
{
    /// <summary>Up to this many model-known items in the history, the answers re-rank the model's candidates.</summary>
    public const int MaxHistory = 5;

    /// <summary>How much a cosine of 1 to a not-seen item lowers a score (the model's scores are logits).</summary>
    public const float Weight = 1f;

    /// <summary>The candidates re-scored and re-sorted, best first; unchanged when there are no not-seen items.</summary>
    public static (int Index, float Score)[] Apply(LoadedModel model, (int Index, float Score)[] candidates, IReadOnlyList<int> notSeen)
    {
        if (notSeen.Count == 0)
        {
            return candidates;
        }
        var rescored = new (int Index, float Score)[candidates.Length];
        for (int c = 0; c < candidates.Length; c++)
        {
            float likeness = 0;
            foreach (int item in notSeen)
            {
                likeness = Math.Max(likeness, model.Similarity(candidates[c].Index, item));
            }
            rescored[c] = (candidates[c].Index, candidates[c].Score - Weight * likeness);
        }
        // Stable: equal scores keep the model's order.
        return rescored.Select((c, position) => (c, position)).OrderByDescending(p => p.c.Score).ThenBy(p => p.position).Select(p => p.c).ToArray();
    }
}
