namespace OnDeviceReco.Ranking;

/// <summary>
/// Greedy MMR (Carbonell &amp; Goldstein, 1998): repeatedly pick the candidate maximising
/// λ·relevance − (1 − λ)·(highest similarity to anything already picked). Relevance is the model score
/// rescaled to 0–1 over the pool, so λ means the same whatever the score range.
/// </summary>
internal static class MaximalMarginalRelevance
{
    public static List<int> Select(IReadOnlyList<float> scores, int count, double lambda, Func<int, int, float> similarity)
    {
        int n = scores.Count;
        var picked = new List<int>(Math.Min(count, n));
        if (lambda >= 1)
        {
            for (int i = 0; i < Math.Min(count, n); i++)
            {
                picked.Add(i); // pool is already in score order
            }
            return picked;
        }
        float max = scores.Count == 0 ? 0 : scores.Max(), min = scores.Count == 0 ? 0 : scores.Min();
        double range = Math.Max(1e-9, max - min);
        var maxSimilarity = new double[n];
        var taken = new bool[n];
        while (picked.Count < Math.Min(count, n))
        {
            int best = -1;
            double bestValue = double.NegativeInfinity;
            for (int i = 0; i < n; i++)
            {
                if (taken[i])
                {
                    continue;
                }
                double value = lambda * ((scores[i] - min) / range) - (1 - lambda) * maxSimilarity[i];
                if (value > bestValue)
                {
                    bestValue = value;
                    best = i;
                }
            }
            taken[best] = true;
            picked.Add(best);
            for (int i = 0; i < n; i++)
            {
                if (!taken[i])
                {
                    maxSimilarity[i] = Math.Max(maxSimilarity[i], similarity(best, i));
                }
            }
        }
        return picked;
    }
}
