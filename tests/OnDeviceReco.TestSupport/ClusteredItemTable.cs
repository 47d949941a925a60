namespace OnDeviceReco.TestSupport;

/// <summary>
/// Item tables and user vectors with the structure trained embeddings have, for measuring search at catalogue
/// sizes no dataset here reaches. Uniform noise would be the easy case (scores concentrate, no near-duplicates);
/// real tables are clustered (genres, series, creators) with item norms that vary with popularity, which puts
/// many near-ties at the top of a list. So: <c>clusters</c> centroids ~ N(0, 1)ᵈ, each item = its centroid
/// + N(0, 0.6²)ᵈ, times a log-normal norm factor (σ 0.35); a user = a weighted mix of 1–3 centroids + N(0, 0.3²)ᵈ.
/// Row 0 is the padding row (zeros), as in a model's table.
/// </summary>
public sealed class ClusteredItemTable
{
    private readonly float[] _centroids;
    private readonly int _clusters;

    public ClusteredItemTable(int items, int dimension, int seed)
    {
        Items = items;
        Dimension = dimension;
        var random = new Random(seed);
        _clusters = Math.Max(8, items / 500);
        _centroids = new float[_clusters * dimension];
        for (int i = 0; i < _centroids.Length; i++)
        {
            _centroids[i] = Gaussian(random);
        }
        Table = new float[(items + 1) * dimension];
        for (int item = 1; item <= items; item++)
        {
            int cluster = random.Next(_clusters);
            float norm = MathF.Exp(0.35f * Gaussian(random));
            for (int j = 0; j < dimension; j++)
            {
                Table[item * dimension + j] = norm * (_centroids[cluster * dimension + j] + 0.6f * Gaussian(random));
            }
        }
    }

    public int Items { get; }
    public int Dimension { get; }

    /// <summary>Row-major [items + 1, dimension], row 0 zeros.</summary>
    public float[] Table { get; }

    /// <summary>A user vector: a mix of one to three clusters' centroids plus noise.</summary>
    public float[] User(Random random)
    {
        var user = new float[Dimension];
        int mix = random.Next(1, 4);
        for (int m = 0; m < mix; m++)
        {
            int cluster = random.Next(_clusters);
            float weight = 0.5f + (float)random.NextDouble();
            for (int j = 0; j < Dimension; j++)
            {
                user[j] += weight * _centroids[cluster * Dimension + j];
            }
        }
        for (int j = 0; j < Dimension; j++)
        {
            user[j] += 0.3f * Gaussian(random);
        }
        return user;
    }

    /// <summary>The exact float32 top <paramref name="k"/> rows (1…items) by dot product, best first.</summary>
    public int[] ExactTop(ReadOnlySpan<float> user, int k, ReadOnlySpan<int> excluded = default)
    {
        // Min-heap of the best k so far: one pass, no sort of a million scores.
        var best = new PriorityQueue<int, (float Score, int NegativeIndex)>(k + 1);
        for (int item = 1; item <= Items; item++)
        {
            if (excluded.Contains(item))
            {
                continue;
            }
            var key = (Dot(Table.AsSpan(item * Dimension, Dimension), user), -item);
            if (best.Count < k)
            {
                best.Enqueue(item, key);
            }
            else if (best.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0)
            {
                best.EnqueueDequeue(item, key);
            }
        }
        var top = new int[best.Count];
        for (int i = top.Length - 1; i >= 0; i--)
        {
            top[i] = best.Dequeue();
        }
        return top;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
