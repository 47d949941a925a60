using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>Scores with a trained sequence model in eval mode, from its last position.</summary>
public sealed class ModelScorer(SequenceModel model) : IScorer
{
    public void Score(IReadOnlyList<int[]> histories, float[] scores)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        int length = model.Config.MaxLength;
        var input = tensor(Histories.LeftPad(histories, length), [histories.Count, length]);
        var output = model.ScoreLast(input).contiguous();
        output.data<float>().CopyTo(scores.AsSpan(0, histories.Count * model.TableSize));
    }
}
