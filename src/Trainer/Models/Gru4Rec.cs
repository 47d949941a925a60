using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// The recurrent path: a single-layer GRU over the item embeddings (GRU4Rec, Hidasi et al.), scored against
/// the same item table. Left padding feeds zero vectors first, identically in training and in ONNX.
/// </summary>
public sealed class Gru4Rec : SequenceModel
{
    private readonly GRU gru;
    private readonly Dropout dropout;

    public Gru4Rec(ModelConfig config, int tableSize, float[] genreMatrix, int genreCount, ItemTextInput? text = null)
        : base("Gru4Rec", config, tableSize, genreMatrix, genreCount, text)
    {
        gru = nn.GRU(config.Dimension, config.Dimension, numLayers: 1, batchFirst: true);
        dropout = nn.Dropout(config.Dropout);
        RegisterItemParts();
        RegisterComponents();
    }

    public GRU Gru => gru;

    public override Tensor forward(Tensor histories)
    {
        var x = ItemRows(histories);
        var (outputs, _) = gru.call(dropout.call(EncoderInput(x)));
        return WithNewest(dropout.call(outputs), x);
    }
}
