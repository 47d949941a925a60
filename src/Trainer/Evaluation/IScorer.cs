namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>Scores every item (indices 0..TableSize-1) for a batch of histories.</summary>
public interface IScorer
{
    /// <summary>Writes histories.Count × TableSize scores into <paramref name="scores"/>.</summary>
    void Score(IReadOnlyList<int[]> histories, float[] scores);
}
