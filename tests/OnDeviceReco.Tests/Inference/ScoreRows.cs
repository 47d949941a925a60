namespace OnDeviceReco.Tests.Inference;

/// <summary>Score rows that defeat a sampled threshold or a bucketing in their own ways, by pattern number.</summary>
internal static class ScoreRows
{
    /// <summary>
    /// 1 random; 2 ascending (the best at the end); 3 descending; 4 few distinct values (long runs of ties); 5 −∞ (seen
    /// items) and signed zeros among random scores; 6 most of them −∞; 7 one exponent, only the mantissa's bits differ;
    /// 8 a period of 20 in the row's order (items listed group by group in turn); 9 one score everywhere.
    /// </summary>
    public static float[] Make(int length, int pattern)
    {
        var random = new Random(pattern * 31 + length);
        return Enumerable.Range(0, length).Select(i => pattern switch
        {
            2 => i * 0.5f,
            3 => -i * 0.5f,
            4 => random.Next(20),
            5 => (i % 97) switch { 0 => float.NegativeInfinity, 1 => -0f, 2 => 0f, _ => (float)random.NextDouble() - 0.5f },
            6 => i % 3 == 0 ? (float)random.NextDouble() : float.NegativeInfinity,
            7 => 1 + (float)random.NextDouble(),
            8 => (i % 20) * 0.1f + (float)random.NextDouble() * 0.05f,
            9 => 0.25f,
            _ => (float)random.NextDouble(),
        }).ToArray();
    }

    /// <summary>The best <paramref name="count"/> entries by a plain sort: score descending, then model index (position + 1).</summary>
    public static (int Index, float Score)[] Best(float[] row, int count) =>
        row.Select((score, position) => (Index: position + 1, Score: score))
            .OrderByDescending(e => e.Score).ThenBy(e => e.Index).Take(count).ToArray();
}
