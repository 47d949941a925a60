using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>
/// The content baseline: an item's score is the cosine of its text vector to the mean of the user's
/// <c>recent</c> newest items' vectors — what "more like what you just played" gives with no training at
/// all. It knows a new item as well as an old one; it knows nothing of what people do.
/// </summary>
public sealed class ContentScorer : IScorer, IDisposable
{
    private readonly Tensor _table; // [TableSize, dimension], unit rows, row 0 zero
    private readonly int _dimension;
    private readonly int _tableSize;
    private readonly int _recent;
    private readonly float[] _vectors;

    public ContentScorer(float[] textVectors, int dimension, int recent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recent, 1);
        _vectors = textVectors;
        _dimension = dimension;
        _tableSize = textVectors.Length / dimension;
        _recent = recent;
        _table = tensor(textVectors, [_tableSize, dimension]);
    }

    public int Recent => _recent;

    public void Score(IReadOnlyList<int[]> histories, float[] scores)
    {
        var profiles = new float[histories.Count * _dimension];
        for (int b = 0; b < histories.Count; b++)
        {
            var history = histories[b];
            var profile = profiles.AsSpan(b * _dimension, _dimension);
            int take = Math.Min(_recent, history.Length);
            for (int i = history.Length - take; i < history.Length; i++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(profile, _vectors.AsSpan(history[i] * _dimension, _dimension), profile);
            }
            // Scale does not change a ranking: the sum stands for the mean. An empty history scores every item 0.
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var result = tensor(profiles, [histories.Count, _dimension]).matmul(_table.t()).contiguous();
        result.data<float>().CopyTo(scores.AsSpan(0, histories.Count * _tableSize));
    }

    public void Dispose() => _table.Dispose();
}
