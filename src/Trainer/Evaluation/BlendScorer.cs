using System.Numerics.Tensors;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>
/// Scores of one scorer plus <c>weight</c> × another's: a measure of what a second signal (e.g. the content baseline's
/// cosine to the newest item's text) would add to a model's own scores, before it is built into the model.
/// </summary>
public sealed class BlendScorer(IScorer first, IScorer second, double weight, int tableSize) : IScorer
{
    public void Score(IReadOnlyList<int[]> histories, float[] scores)
    {
        ArgumentNullException.ThrowIfNull(histories);
        first.Score(histories, scores);
        if (weight == 0)
        {
            return;
        }
        int count = histories.Count * tableSize;
        var other = new float[count];
        second.Score(histories, other);
        TensorPrimitives.MultiplyAdd(other, (float)weight, scores.AsSpan(0, count), scores.AsSpan(0, count));
    }
}
