namespace OnDeviceReco.Trainer.Synthetic;

/// <summary>
/// A generated interaction log with a learnable order, shaped like a small e-commerce catalogue (the default is
/// Amazon Video Games as preprocessed for the SASRec paper: 31,013 users, 23,715 items, ~9 interactions per user).
/// Items fall into latent clusters; each item has a few successors in its cluster; a user starts in a cluster drawn
/// with a popularity skew and then mostly follows successors, sometimes drifts to another item of the cluster, and
/// sometimes jumps to a globally popular item. Sequence lengths have a long tail (at least five, as that
/// preprocessing keeps). The same seed gives the same log.
/// </summary>
public static class ClusteredCatalogue
{
    /// <summary>One interaction: user index, item index (1-based) and a per-user increasing timestamp.</summary>
    public readonly record struct Interaction(int User, int Item, long Timestamp);

    /// <param name="follow">Probability that the next item is one of the current item's successors.</param>
    /// <param name="jump">Probability that the next item is drawn from the global popularity skew instead.</param>
    public static IEnumerable<Interaction> Generate(int users = 31_013, int items = 23_715, double meanLength = 9.26,
        int clusterSize = 40, int successors = 3, double follow = 0.55, double jump = 0.2, int seed = 1)
    {
        var random = new Random(seed);
        int clusters = Math.Max(1, items / clusterSize);
        // Item i (0-based) belongs to cluster i % clusters, so every cluster mixes head and tail items.
        var members = new List<int>[clusters];
        for (int c = 0; c < clusters; c++)
        {
            members[c] = [];
        }
        var order = Enumerable.Range(0, items).ToArray();
        random.Shuffle(order); // popularity rank → item id at random, so ids carry no signal
        for (int rank = 0; rank < items; rank++)
        {
            members[rank % clusters].Add(order[rank]);
        }
        var clusterOf = new int[items];
        for (int c = 0; c < clusters; c++)
        {
            members[c].ForEach(i => clusterOf[i] = c);
        }
        var next = new int[items][];
        for (int i = 0; i < items; i++)
        {
            var pool = members[clusterOf[i]];
            next[i] = Enumerable.Range(0, successors).Select(_ => pool[Skewed(random, pool.Count)]).ToArray();
        }
        double extra = meanLength - 5;
        for (int u = 0; u < users; u++)
        {
            // Geometric tail above the minimum of five: mean 5 + extra.
            int length = 5 + (int)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(extra / (extra + 1)));
            int item = order[Skewed(random, items)];
            for (int step = 0; step < length; step++)
            {
                yield return new Interaction(u, item + 1, 1_000_000_000L + step * 3600L + u);
                double r = random.NextDouble();
                var cluster = members[clusterOf[item]];
                item = r < follow ? next[item][random.Next(successors)]
                    : r < follow + jump ? order[Skewed(random, items)]
                    : cluster[Skewed(random, cluster.Count)];
            }
        }
    }

    /// <summary>An index in [0, count) skewed to the front (index ⌊count·x²⌋), a long popularity tail.</summary>
    private static int Skewed(Random random, int count)
    {
        double x = random.NextDouble();
        return Math.Min(count - 1, (int)(count * x * x));
    }
}
