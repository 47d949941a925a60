namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>NDCG@10 and HR@10 of one group of targets, with bootstrap 95% intervals over users.</summary>
public sealed record GroupMetrics(double Ndcg10, double Hr10, int Targets, (double Low, double High) Ndcg10Interval, (double Low, double High) Hr10Interval);

/// <summary>
/// One model's replay, summed per user and group: "all", the item segments "new", "tail", "head", and "new_user"
/// (targets of users with no interaction before the cutoff; they also count in their item's segment).
/// </summary>
public sealed class SegmentResults
{
    public static readonly string[] Groups = ["all", "new", "tail", "head", "new_user"];

    private readonly Dictionary<string, (double[] Ndcg, double[] Hits, double[] Targets)> _perUser = [];

    /// <param name="userIndex">Each case's user as an index 0..users−1 (the bootstrap's).</param>
    public SegmentResults(IReadOnlyList<ReplayCase> cases, double[] ranks, int[] userIndex, int users)
    {
        foreach (string group in Groups)
        {
            _perUser[group] = (new double[users], new double[users], new double[users]);
        }
        for (int c = 0; c < cases.Count; c++)
        {
            double ndcg = ReplayRanking.Ndcg10(ranks[c]), hit = ReplayRanking.Hit10(ranks[c]);
            foreach (string group in GroupsOf(cases[c]))
            {
                var (n, h, t) = _perUser[group];
                n[userIndex[c]] += ndcg;
                h[userIndex[c]] += hit;
                t[userIndex[c]]++;
            }
        }
    }

    public static IEnumerable<string> GroupsOf(ReplayCase replay)
    {
        yield return "all";
        yield return replay.Segment switch { Segment.New => "new", Segment.Tail => "tail", _ => "head" };
        if (replay.NewUser)
        {
            yield return "new_user";
        }
    }

    public GroupMetrics Metrics(string group, UserBootstrap bootstrap)
    {
        var (n, h, t) = _perUser[group];
        double targets = t.Sum();
        return new GroupMetrics(targets == 0 ? 0 : n.Sum() / targets, targets == 0 ? 0 : h.Sum() / targets, (int)targets,
            bootstrap.Interval(n, t), bootstrap.Interval(h, t));
    }

    /// <summary>NDCG@10 of this model ÷ <paramref name="other"/>'s on the same group: the ratio and its paired interval.</summary>
    public (double Ratio, double Low, double High) NdcgRatio(SegmentResults other, string group, UserBootstrap bootstrap)
    {
        var (n, _, t) = _perUser[group];
        var (on, _, ot) = other._perUser[group];
        double mine = n.Sum() / Math.Max(t.Sum(), 1), theirs = on.Sum() / Math.Max(ot.Sum(), 1);
        var (low, high) = bootstrap.RatioInterval(n, t, on, ot);
        return (theirs == 0 ? double.NaN : mine / theirs, low, high);
    }
}
