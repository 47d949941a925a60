namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// Ranks each replayed target against the full catalogue, the user's history excluded, ties counted half (as
/// <see cref="RankingEvaluator"/> does), and turns ranks into per-target NDCG@10 and HR@10.
/// </summary>
public static class ReplayRanking
{
    /// <summary>The 0-based rank of every case's target, in case order.</summary>
    public static double[] Ranks(IScorer scorer, IReadOnlyList<ReplayCase> cases, int tableSize)
    {
        var ranks = new double[cases.Count];
        RankingEvaluator.ForEachUnseenRow(scorer, [.. cases.Select(c => (c.History, c.Target))], tableSize,
            (index, row, excluded, target) => ranks[index] = RankingEvaluator.Rank(row, excluded, target));
        return ranks;
    }

    public static double Ndcg10(double rank) => rank < 10 ? 1 / Math.Log2(rank + 2) : 0;

    public static double Hit10(double rank) => rank < 10 ? 1 : 0;
}
