namespace OnDeviceReco.Trainer.Synthetic;

/// <summary>
/// Interaction sequences over a catalogue of any size, for timing training where no dataset here reaches. Only
/// the shapes matter for cost: every user has exactly <c>length</c> interactions (one full training window when
/// length = L + 1), items skewed to a popular head (index ⌊items·u²⌋ + 1) as real logs are.
/// </summary>
public static class SyntheticSequences
{
    public static IReadOnlyList<int[]> Generate(int items, int users, int length, int seed)
    {
        var random = new Random(seed);
        var sequences = new int[users][];
        for (int u = 0; u < users; u++)
        {
            var sequence = new int[length];
            for (int i = 0; i < length; i++)
            {
                double x = random.NextDouble();
                sequence[i] = Math.Min(items, (int)(items * x * x) + 1);
            }
            sequences[u] = sequence;
        }
        return sequences;
    }
}
