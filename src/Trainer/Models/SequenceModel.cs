using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// A next-item model: maps a left-padded history [B, L] of item indices (0 = padding) to one hidden state per
/// position [B, L, d]; an item is scored by the dot product of a hidden state with its row of <see cref="ItemTable"/>.
/// </summary>
public abstract class SequenceModel : nn.Module<Tensor, Tensor>
{
    protected SequenceModel(string name, ModelConfig config, int tableSize, float[] genreMatrix, int genreCount) : base(name)
    {
        Config = config;
        TableSize = tableSize;
        GenreCount = genreCount;
        ItemEmbedding = nn.Embedding(tableSize, config.Dimension, padding_idx: 0);
        using (no_grad())
        {
            nn.init.normal_(ItemEmbedding.weight!, 0, 1.0 / Math.Sqrt(config.Dimension));
            ItemEmbedding.weight![0].zero_();
        }
        Content = nn.Linear(genreCount, config.Dimension, hasBias: false);
        Genres = tensor(genreMatrix, [tableSize, genreCount]);
    }

    public ModelConfig Config { get; }
    public int TableSize { get; }
    public int GenreCount { get; }

    // Fields are registered as submodules/parameters by RegisterComponents in the concrete class.
    public Embedding ItemEmbedding { get; }
    public Linear Content { get; }
    public Tensor Genres { get; }

    /// <summary>
    /// Every item's output embedding [TableSize, d]: its learned vector plus its genres' projection, so an item
    /// never seen in training is still placed by its content (cold start). Row 0 (padding) is zero.
    /// </summary>
    public Tensor ItemTable() =>
        Config.UseContent ? ItemEmbedding.weight!.Plus(Content.call(Genres)) : ItemEmbedding.weight!.alias();

    /// <summary>
    /// The output embeddings of just <paramref name="indices"/> (any shape; result [..shape, d]): the same rows as
    /// <see cref="ItemTable"/> without building the whole table, so a batch's cost does not grow with the catalogue.
    /// </summary>
    public Tensor ItemRows(Tensor indices)
    {
        var flat = indices.flatten();
        var rows = ItemEmbedding.weight!.index_select(0, flat);
        if (Config.UseContent)
        {
            rows = rows.Plus(Content.call(Genres.index_select(0, flat)));
        }
        return rows.reshape([.. indices.shape, Config.Dimension]);
    }

    /// <summary>Scores of every item after the last position of each history: [B, TableSize].</summary>
    public Tensor ScoreLast(Tensor histories)
    {
        var hidden = call(histories);
        var last = hidden.select(1, -1);
        return last.matmul(ItemTable().t());
    }
}
