namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// Ranks each replayed target against the full catalogue, the user's history excluded, ties counted half (as
/// <see cref="RankingEvaluator"/> does), and turns ranks into per-target NDCG@10 and HR@10.
/// </summary>
public static class ReplayRanking
{
    private const int BatchSize = 64;

    /// <summary>The 0-based rank of every case's target, in case order.</summary>
    public static double[] Ranks(IScorer scorer, IReadOnlyList<ReplayCase> cases, int tableSize)
    {
        var ranks = new double[cases.Count];
        var scores = new float[BatchSize * tableSize];
        var excluded = new bool[tableSize];
        excluded[0] = true;
        for (int start = 0; start < cases.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, cases.Count - start);
            var histories = new int[count][];
            for (int b = 0; b < count; b++)
            {
                histories[b] = cases[start + b].History;
            }
            scorer.Score(histories, scores);
            for (int b = 0; b < count; b++)
            {
                var replay = cases[start + b];
                foreach (int item in replay.History)
                {
                    excluded[item] = true;
                }
                // Re-consumption is possible in general logs: the target itself is always ranked.
                excluded[replay.Target] = false;
                ranks[start + b] = RankingEvaluator.Rank(scores.AsSpan(b * tableSize, tableSize), excluded, replay.Target);
                foreach (int item in replay.History)
                {
                    excluded[item] = false;
                }
                excluded[0] = true;
            }
        }
        return ranks;
    }

    public static double Ndcg10(double rank) => rank < 10 ? 1 / Math.Log2(rank + 2) : 0;

    public static double Hit10(double rank) => rank < 10 ? 1 : 0;
}
