namespace OnDeviceReco.Tests.Support;

/// <summary>
/// A clustered item table like trained embeddings (centroids + noise, varying norms), the same recipe as the
/// trainer's <c>ClusteredItemTable</c> used by the benchmarks; kept here so this project needs no TorchSharp.
/// </summary>
internal sealed class ClusteredTable
{
    private readonly float[] _centroids;
    private readonly int _clusters;

    public ClusteredTable(int items, int dimension, int seed)
    {
        Items = items;
        Dimension = dimension;
        var random = new Random(seed);
        _clusters = Math.Max(8, items / 500);
        _centroids = Enumerable.Range(0, _clusters * dimension).Select(_ => Gaussian(random)).ToArray();
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
    public float[] Table { get; }

    public float[] User(Random random)
    {
        var user = new float[Dimension];
        for (int m = random.Next(1, 4); m > 0; m--)
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

    /// <summary>Exact float32 top k of rows 1…items, best first (ties by index).</summary>
    public int[] ExactTop(float[] user, int k, int[]? excluded = null)
    {
        var scores = new float[Items + 1];
        for (int item = 1; item <= Items; item++)
        {
            scores[item] = System.Numerics.Tensors.TensorPrimitives.Dot(Table.AsSpan(item * Dimension, Dimension), user);
        }
        scores[0] = float.NegativeInfinity;
        foreach (int e in excluded ?? [])
        {
            scores[e] = float.NegativeInfinity;
        }
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var keys = scores.Select(s => -s).ToArray();
        Array.Sort(keys, order);
        return order.Take(k).ToArray();
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
