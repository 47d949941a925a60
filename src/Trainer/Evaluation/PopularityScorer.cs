using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>The popularity baseline: every user gets items ranked by how many training users had them.</summary>
public sealed class PopularityScorer : IScorer
{
    private readonly float[] _counts;

    public PopularityScorer(IReadOnlyList<int[]> trainSequences, int tableSize)
    {
        _counts = UserCounts(trainSequences, tableSize).Select(c => (float)c).ToArray();
    }

    /// <summary>Distinct training users per item.</summary>
    public static int[] UserCounts(IReadOnlyList<int[]> sequences, int tableSize)
    {
        var counts = new int[tableSize];
        foreach (var sequence in sequences)
        {
            foreach (int item in sequence.Distinct())
            {
                counts[item]++;
            }
        }
        return counts;
    }

    public void Score(IReadOnlyList<int[]> histories, float[] scores)
    {
        for (int b = 0; b < histories.Count; b++)
        {
            _counts.CopyTo(scores, b * _counts.Length);
        }
    }
}
