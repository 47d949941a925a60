using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// SASRec (Kang &amp; McAuley, 2018) with pre-LayerNorm blocks: item embedding × √d plus a learned position,
/// causal multi-head self-attention and a point-wise feed-forward per block, a final LayerNorm.
/// Attention is written out (no fused kernel) so the ONNX graph can mirror it operation for operation.
/// </summary>
public sealed class SasRec : SequenceModel
{
    public const double LayerNormEps = 1e-8;
    public const float MaskedScore = -1e9f;

    private readonly Embedding position;
    private readonly ModuleList<SasRecBlock> blocks;
    private readonly LayerNorm finalNorm;
    private readonly Dropout dropout;
    private readonly Tensor causal;

    public SasRec(ModelConfig config, int tableSize, float[] genreMatrix, int genreCount, ItemTextInput? text = null)
        : base("SasRec", config, tableSize, genreMatrix, genreCount, text)
    {
        position = nn.Embedding(config.MaxLength, config.Dimension);
        using (no_grad())
        {
            nn.init.normal_(position.weight!, 0, 1.0 / Math.Sqrt(config.Dimension));
        }
        blocks = nn.ModuleList(Enumerable.Range(0, config.Blocks).Select(_ => new SasRecBlock(config)).ToArray());
        finalNorm = nn.LayerNorm(config.Dimension, LayerNormEps);
        dropout = nn.Dropout(config.Dropout);
        causal = ones(config.MaxLength, config.MaxLength, ScalarType.Bool).tril();
        RegisterItemParts();
        RegisterComponents();
    }

    public Embedding Position => position;
    public IReadOnlyList<SasRecBlock> Blocks => blocks.ToList();
    public LayerNorm FinalNorm => finalNorm;

    public override Tensor forward(Tensor histories)
    {
        long length = histories.shape[1];
        var keep = histories.ne(HeldScalars.Zero);                            // [B, L]
        var rows = ItemRows(histories);
        using var embeddingScale = Math.Sqrt(Config.Dimension).ToScalar();  // held: see HeldScalars
        var x = EncoderInput(rows).mul(embeddingScale);
        // Left padding: the newest item always sits at the last position, so it gets the last position row.
        x = x.Plus(position.weight!.narrow(0, Config.MaxLength - length, length));
        x = dropout.call(x) * keep.unsqueeze(-1);
        var mask = causal.narrow(0, 0, length).narrow(1, 0, length).unsqueeze(0).logical_and(keep.unsqueeze(1)); // [B, L, L]
        foreach (var block in blocks)
        {
            x = block.Forward(x, mask) * keep.unsqueeze(-1);
        }
        return WithNewest(finalNorm.call(x), rows);
    }
}

/// <summary>One pre-LayerNorm transformer block: x + Attn(LN(x)), then x + FFN(LN(x)).</summary>
public sealed class SasRecBlock : nn.Module
{
    private readonly LayerNorm attentionNorm;
    private readonly Linear query, key, value, output;
    private readonly LayerNorm feedForwardNorm;
    private readonly Linear hidden, project;
    private readonly Dropout dropout;
    private readonly int heads;

    public SasRecBlock(ModelConfig config) : base("SasRecBlock")
    {
        int d = config.Dimension;
        heads = config.Heads;
        attentionNorm = nn.LayerNorm(d, SasRec.LayerNormEps);
        query = nn.Linear(d, d);
        key = nn.Linear(d, d);
        value = nn.Linear(d, d);
        output = nn.Linear(d, d);
        feedForwardNorm = nn.LayerNorm(d, SasRec.LayerNormEps);
        hidden = nn.Linear(d, d);
        project = nn.Linear(d, d);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    public int Heads => heads;
    public LayerNorm AttentionNorm => attentionNorm;
    public Linear Query => query;
    public Linear Key => key;
    public Linear Value => value;
    public Linear Output => output;
    public LayerNorm FeedForwardNorm => feedForwardNorm;
    public Linear Hidden => hidden;
    public Linear Project => project;

    public Tensor Forward(Tensor x, Tensor mask)
    {
        long batch = x.shape[0], length = x.shape[1], d = x.shape[2], dh = d / heads;
        var h = attentionNorm.call(x);
        Tensor Split(Tensor t) => t.reshape(batch, length, heads, dh).transpose(1, 2);   // [B, H, L, dh]
        var q = Split(query.call(h));
        var k = Split(key.call(h));
        var v = Split(value.call(h));
        using var scale = (1.0 / Math.Sqrt(dh)).ToScalar();                              // held: see HeldScalars
        var scores = q.matmul(k.transpose(2, 3)).mul(scale);                              // [B, H, L, L]
        scores = scores.masked_fill(mask.unsqueeze(1).logical_not(), HeldScalars.MaskedScore);
        var attention = dropout.call(nn.functional.softmax(scores, -1));
        var context = attention.matmul(v).transpose(1, 2).reshape(batch, length, d);
        x = x.Plus(dropout.call(output.call(context)));
        var f = feedForwardNorm.call(x);
        return x.Plus(dropout.call(project.call(nn.functional.relu(hidden.call(f)))));
    }
}
