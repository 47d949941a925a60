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
    /// <param name="text">Each item's sentence vectors for a text recipe (<see cref="ModelConfig.UseText"/>); null otherwise.</param>
    protected SequenceModel(string name, ModelConfig config, int tableSize, float[] genreMatrix, int genreCount, ItemTextInput? text = null) : base(name)
    {
        Config = config;
        TableSize = tableSize;
        GenreCount = genreCount;
        ItemEmbedding = nn.Embedding(tableSize, config.Dimension, padding_idx: 0);
        using (no_grad())
        {
            if (config.UseText)
            {
                // The ID part is an offset from the text's place: it starts at nothing and grows only where the data asks.
                ItemEmbedding.weight!.zero_();
            }
            else
            {
                nn.init.normal_(ItemEmbedding.weight!, 0, 1.0 / Math.Sqrt(config.Dimension));
                ItemEmbedding.weight![0].zero_();
            }
        }
        Content = nn.Linear(genreCount, config.Dimension, hasBias: false);
        Genres = tensor(genreMatrix, [tableSize, genreCount]);
        Calibration = config.NoId;
        if (config.UseText)
        {
            IdKnown = ones(tableSize, 1);
            NoId = zeros(tableSize, 1);
            IdWeight = zeros(tableSize, 1);
            Text = new TextItemPart(text ?? throw new ArgumentException(
                $"Recipe '{config.Name}' represents items by their text: attach text vectors to the vocabulary first (Text.ItemTextVectors.Attach).",
                nameof(text)), tableSize, config.Dimension);
            if (config.TextColumns > 0)
            {
                if (config.UseContent)
                {
                    throw new ArgumentException($"Recipe '{config.Name}': text columns and category columns together are not supported; the text carries the categories.", nameof(config));
                }
                if (!config.NewestItem)
                {
                    throw new ArgumentException($"Recipe '{config.Name}': text columns reach the user vector only through the newest-item term; turn it on.", nameof(config));
                }
                Columns = TextColumns.Fit(text, config.TextColumns);
                TextTaste = nn.Linear(config.Dimension, config.TextColumns, hasBias: false);
                using (no_grad())
                {
                    // Starts at nothing, as β does: the columns begin as the newest item's alone.
                    TextTaste.weight!.zero_();
                }
            }
            if (config.NewestItem)
            {
                // Starts at nothing: the term grows only as far as training finds it useful.
                Newest = new Parameter(zeros(RowWidth));
                NewestBoost = config.NewestBoost;
            }
        }
        else if (config.TextColumns > 0)
        {
            throw new ArgumentException($"Recipe '{config.Name}': text columns need a text recipe.", nameof(config));
        }
    }

    /// <summary>The fixed text columns appended to every item row (<see cref="ModelConfig.TextColumns"/>); null without.</summary>
    public TextColumns? Columns { get; }

    /// <summary>
    /// With text columns: the encoder's state mapped to them (a learnt d → r map), the user's taste in the text space
    /// from the whole history, to which the newest-item term adds the newest item's own columns; null without.
    /// </summary>
    public TorchSharp.Modules.Linear? TextTaste { get; }

    /// <summary>Width of an item row and of the user vector: <see cref="ModelConfig.Dimension"/> plus the text columns.</summary>
    public int RowWidth => Config.Dimension + (Columns?.Rank ?? 0);

    /// <summary>What the sequence encoder reads of item rows [.., <see cref="RowWidth"/>]: the first <see cref="ModelConfig.Dimension"/> columns.</summary>
    protected Tensor EncoderInput(Tensor rows) => Columns is null ? rows : rows.narrow(-1, 0, Config.Dimension);

    /// <summary>
    /// β of <see cref="ModelConfig.NewestItem"/> [d] (null when off): each position's hidden state gets β ⊙ that
    /// position's item row, so the user vector after a history holds β ⊙ its newest item's row.
    /// </summary>
    public Parameter? Newest { get; }

    /// <summary>
    /// Added to every dimension of <see cref="Newest"/> outside training: the config's, or one chosen on validation
    /// (<c>NewestBoostChoice</c>); 0 keeps β as trained.
    /// </summary>
    public double NewestBoost { get; set; }

    /// <summary>β + <see cref="NewestBoost"/> outside training, β in training: the weight the export writes too.</summary>
    public Tensor NewestWeight()
    {
        var beta = Newest ?? throw new InvalidOperationException($"Recipe '{Config.Name}' has no newest-item term.");
        if (training || NewestBoost == 0)
        {
            return beta.alias();
        }
        using var boost = NewestBoost.ToScalar(); // held for the call: see HeldScalars
        return beta.add(boost);
    }

    /// <summary>
    /// The hidden states [B, L, d] with β ⊙ each position's own item row (<paramref name="rows"/>, [B, L, d]) added when
    /// <see cref="ModelConfig.NewestItem"/> is on; the architectures call it on their output.
    /// </summary>
    protected Tensor WithNewest(Tensor hidden, Tensor rows)
    {
        if (Newest is null)
        {
            return hidden;
        }
        // The text columns of the user vector: the encoder state's taste there, plus β ⊙ the newest item's own columns.
        var wide = TextTaste is null ? hidden : cat([hidden, TextTaste.call(hidden)], -1);
        return wide.Plus(rows.mul(NewestWeight()));
    }

    /// <summary>The text path of a text recipe (adaptor over fixed sentence vectors); null for ID-only recipes.</summary>
    public TextItemPart? Text { get; }

    /// <summary>
    /// Text recipes: 1 for items whose ID offset may be used (they occur in the training data), 0 for the rest, whose
    /// offset stays exactly zero. Without it full softmax would push an unseen item's offset down as a negative only,
    /// and a new item would rank below its own text's place.
    /// </summary>
    private Tensor? IdKnown { get; }

    /// <summary>Text recipes: 1 for items with no ID part (padding excluded), the rows <see cref="Calibration"/> applies to.</summary>
    private Tensor? NoId { get; }

    /// <summary>Text recipes: each item's share of the training interactions, weighing the expected ID part of a played item.</summary>
    private Tensor? IdWeight { get; }

    /// <summary>
    /// How a text recipe places items without an ID part outside training (<see cref="NoIdCalibration"/>); starts as the
    /// config's and may be replaced by one chosen on validation. Training never applies it: it places the rows of items
    /// training had no interactions of, which the text recipes' negative pool (<see cref="NegativePool.Trained"/>) leaves out.
    /// </summary>
    public NoIdCalibration Calibration { get; set; }

    /// <summary>
    /// Text recipes: lets only items that occur in <paramref name="sequences"/> carry an ID offset (the trainer calls it
    /// before the first step). No effect on ID-only recipes.
    /// </summary>
    public void LimitIdsTo(IReadOnlyList<int[]> sequences)
    {
        if (IdKnown is null)
        {
            return;
        }
        var known = new float[TableSize];
        var weight = new float[TableSize];
        double total = 0;
        foreach (var sequence in sequences)
        {
            foreach (int item in sequence)
            {
                known[item] = 1;
                weight[item]++;
                total++;
            }
        }
        known[0] = 0;
        weight[0] = 0;
        var noId = new float[TableSize];
        for (int i = 1; i < TableSize; i++)
        {
            noId[i] = 1 - known[i];
            weight[i] = total > 0 ? (float)(weight[i] / total) : 0;
        }
        using (no_grad())
        {
            using var mask = tensor(known, [TableSize, 1]);
            IdKnown.copy_(mask);
            ItemEmbedding.weight!.mul_(mask);
            using var noIdMask = tensor(noId, [TableSize, 1]);
            NoId!.copy_(noIdMask);
            using var weights = tensor(weight, [TableSize, 1]);
            IdWeight!.copy_(weights);
        }
    }
    /// <summary>Registers the item parts every architecture shares; concrete models call it before RegisterComponents.</summary>
    protected void RegisterItemParts()
    {
        register_module("item_embedding", ItemEmbedding);
        register_module("content", Content);
        register_buffer("genres", Genres, persistent: false);
        if (Text is not null)
        {
            register_module("text", Text);
            if (Columns is not null)
            {
                register_buffer("text_columns", Columns.Table, persistent: false);
                register_module("text_taste", TextTaste!);
            }
            register_buffer("id_known", IdKnown!, persistent: false);
            register_buffer("no_id", NoId!, persistent: false);
            register_buffer("id_weight", IdWeight!, persistent: false);
            if (Newest is not null)
            {
                register_parameter("newest", Newest);
            }
        }
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
    /// <para>A text recipe's row is its adaptor(text vector) plus its ID offset — in training the offset is dropped
    /// at random (<see cref="ModelConfig.IdDrop"/>) so the text path alone learns to rank; a new item's offset is zero,
    /// so its row is its text's place. The exported table is this table: the device never sees the text model.</para>
    public Tensor ItemTable()
    {
        var table = ItemEmbedding.weight!.alias();
        if (Text is not null)
        {
            table = DropIds(table.mul(IdKnown!), TableSize).Plus(Calibrated(Text.Table(), NoId!));
        }
        table = Config.UseContent ? table.Plus(Content.call(Genres)) : table;
        return Columns is null ? table : cat([table, Columns.Table], 1);
    }

    /// <summary>Penalty added to the training loss: the text recipe's L2 on ID offsets (null when there is none).</summary>
    public Tensor? Regulariser()
    {
        if (Text is null || Config.IdPenalty <= 0)
        {
            return null;
        }
        using var weight = Config.IdPenalty.ToScalar(); // held for the call: see HeldScalars
        return ItemEmbedding.weight!.pow(2).sum(-1).mean().mul(weight);
    }

    /// <summary>
    /// Outside training, the text rows of items without an ID part (<paramref name="noId"/> [N, 1] marks them) placed
    /// by <see cref="Calibration"/>: scale × text + shift × <see cref="ExpectedOffset"/>; other rows unchanged.
    /// </summary>
    private Tensor Calibrated(Tensor text, Tensor noId) => training || Calibration.IsNone ? text : Placed(text, noId);

    /// <summary><see cref="Calibration"/>'s rule, the one place it is written: rows marked in <paramref name="noId"/> become scale × text + shift × <see cref="ExpectedOffset"/>.</summary>
    private Tensor Placed(Tensor text, Tensor noId)
    {
        using var scaleMinusOne = (Calibration.Scale - 1).ToScalar(); // held for the calls: see HeldScalars
        using var shift = Calibration.Shift.ToScalar();
        var factor = noId.mul(scaleMinusOne).add(HeldScalars.One, HeldScalars.One);
        return text.mul(factor).Plus(noId.mul(ExpectedOffset()).mul(shift));
    }

    /// <summary>The expected ID part of a played item: the interaction-weighted mean of the trained offsets, [1, d].</summary>
    private Tensor ExpectedOffset() => ItemEmbedding.weight!.mul(IdKnown!).mul(IdWeight!).sum(0, keepdim: true);

    /// <summary>
    /// Rows for items added after training (count × text dimension sentence vectors in, count × d out): what
    /// <see cref="ItemTable"/> gives an item without an ID part — the trained text path placed by <see cref="Calibration"/>.
    /// </summary>
    public float[] NewItemRows(float[] textVectors)
    {
        var rows = (Text ?? throw new InvalidOperationException($"Recipe '{Config.Name}' has no text path.")).Project(textVectors);
        int d = Config.Dimension;
        if (!Calibration.IsNone)
        {
            using (NewDisposeScope())
            using (no_grad())
            {
                var text = tensor(rows, [rows.Length / d, d]);
                rows = Placed(text, ones(rows.Length / d, 1)).contiguous().data<float>().ToArray();
            }
        }
        if (Columns is null)
        {
            return rows;
        }
        var columns = Columns.Project(textVectors);
        int count = rows.Length / d, r = Columns.Rank;
        var wide = new float[count * RowWidth];
        for (int i = 0; i < count; i++)
        {
            rows.AsSpan(i * d, d).CopyTo(wide.AsSpan(i * RowWidth));
            columns.AsSpan(i * r, r).CopyTo(wide.AsSpan(i * RowWidth + d));
        }
        return wide;
    }

    /// <summary>In training, zeroes each row's ID offset with probability <see cref="ModelConfig.IdDrop"/>.</summary>
    private Tensor DropIds(Tensor rows, long count)
    {
        if (!training || Config.IdDrop <= 0)
        {
            return rows;
        }
        using var drop = Config.IdDrop.ToScalar(); // held for the call: see HeldScalars
        var keep = rand(count, 1).ge(drop).to_type(rows.dtype);
        return rows.mul(keep);
    }

    /// <summary>
    /// The output embeddings of just <paramref name="indices"/> (any shape; result [..shape, d]): the same rows as
    /// <see cref="ItemTable"/> without building the whole table, so a batch's cost does not grow with the catalogue.
    /// </summary>
    public Tensor ItemRows(Tensor indices)
    {
        var flat = indices.flatten();
        var rows = ItemEmbedding.weight!.index_select(0, flat);
        if (Text is not null)
        {
            rows = DropIds(rows.mul(IdKnown!.index_select(0, flat)), flat.shape[0]).Plus(Calibrated(Text.Rows(flat), NoId!.index_select(0, flat)));
        }
        if (Config.UseContent)
        {
            rows = rows.Plus(Content.call(Genres.index_select(0, flat)));
        }
        if (Columns is not null)
        {
            rows = cat([rows, Columns.Table.index_select(0, flat)], 1);
        }
        return rows.reshape([.. indices.shape, RowWidth]);
    }

    /// <summary>Scores of every item after the last position of each history: [B, TableSize].</summary>
    public Tensor ScoreLast(Tensor histories)
    {
        var hidden = call(histories);
        var last = hidden.select(1, -1);
        return last.matmul(ItemTable().t());
    }
}
