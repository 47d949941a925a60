namespace OnDeviceReco.Trainer.Synthetic;

/// <summary>How a generated log is drawn (see <see cref="ClusteredCatalogue"/>).</summary>
/// <param name="ClusterSize">Items per latent cluster.</param>
/// <param name="Successors">Successors per item, drawn from its cluster.</param>
/// <param name="Follow">Probability that the next item is one of the current item's successors.</param>
/// <param name="Jump">Probability that the next item is drawn from the global popularity skew instead.</param>
/// <param name="Noise">Probability that the next item is any item, uniformly (a step nothing predicts).</param>
/// <param name="PopularitySkew">Exponent of the global popularity draw (rank ⌊items·x^skew⌋): 2 a mild head, 3 a
/// stronger head and longer tail. Draws inside a cluster always use 2.</param>
public sealed record CatalogueShape(int ClusterSize = 40, int Successors = 3, double Follow = 0.55, double Jump = 0.2, double Noise = 0,
    double PopularitySkew = 2)
{
    /// <summary>Strong order: SASRec reaches a full-ranking NDCG@10 near 0.38 at the Amazon Video Games shape, far
    /// above real logs. For checking that a recipe learns at a size.</summary>
    public static CatalogueShape Easy { get; } = new();

    /// <summary>
    /// About as hard as a real e-commerce log at that shape (real Amazon Video Games: SASRec ≈ 0.06 full-ranking NDCG@10):
    /// a weak successor rule, broad clusters, nearly half the steps to popular items along a long tail (unpredictable
    /// but, as in real logs, skewed to the head, which the sampled metrics' uniform negatives reward), a few pure noise.
    /// </summary>
    public static CatalogueShape Hard { get; } = new(ClusterSize: 200, Successors: 3, Follow: 0.15, Jump: 0.45, Noise: 0.05, PopularitySkew: 2.5);
}

/// <summary>
/// A generated interaction log with a learnable order, shaped like a small e-commerce catalogue (the default is
/// Amazon Video Games as preprocessed for the SASRec paper: 31,013 users, 23,715 items, ~9 interactions per user).
/// Items fall into latent clusters; each item has a few successors in its cluster; a user starts at an item drawn
/// with a popularity skew and then follows successors, drifts to another item of the cluster, jumps to a globally
/// popular item, or (noise) to any item, with the shape's probabilities. Sequence lengths have a long tail (at least
/// five, as that preprocessing keeps). The same seed gives the same log.
/// </summary>
public static class ClusteredCatalogue
{
    /// <summary>One interaction: user index, item index (1-based) and a per-user increasing timestamp.</summary>
    public readonly record struct Interaction(int User, int Item, long Timestamp);

    public static IEnumerable<Interaction> Generate(int users = 31_013, int items = 23_715, double meanLength = 9.26, CatalogueShape? shape = null, int seed = 1)
    {
        shape ??= CatalogueShape.Easy;
        if (shape.Follow < 0 || shape.Jump < 0 || shape.Noise < 0 || shape.Follow + shape.Jump + shape.Noise > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), "Follow, jump and noise are probabilities that add up to at most 1.");
        }
        var random = new Random(seed);
        int clusters = Math.Max(1, items / shape.ClusterSize);
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
            next[i] = Enumerable.Range(0, shape.Successors).Select(_ => pool[Skewed(random, pool.Count, 2)]).ToArray();
        }
        double extra = meanLength - 5;
        double follow = shape.Follow, jump = follow + shape.Jump, noise = jump + shape.Noise;
        for (int u = 0; u < users; u++)
        {
            // Geometric tail above the minimum of five: mean 5 + extra.
            int length = 5 + (int)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(extra / (extra + 1)));
            int item = order[Skewed(random, items, shape.PopularitySkew)];
            for (int step = 0; step < length; step++)
            {
                yield return new Interaction(u, item + 1, 1_000_000_000L + step * 3600L + u);
                double r = random.NextDouble();
                var cluster = members[clusterOf[item]];
                item = r < follow ? next[item][random.Next(shape.Successors)]
                    : r < jump ? order[Skewed(random, items, shape.PopularitySkew)]
                    : r < noise ? random.Next(items)
                    : cluster[Skewed(random, cluster.Count, 2)];
            }
        }
    }

    /// <summary>An index in [0, count) skewed to the front (index ⌊count·x^skew⌋), a long popularity tail.</summary>
    private static int Skewed(Random random, int count, double skew)
    {
        double x = random.NextDouble();
        double position = skew == 2 ? x * x : Math.Pow(x, skew); // x·x keeps the easy shape's logs bit-identical to before
        return Math.Min(count - 1, (int)(count * position));
    }
}
