using Google.Protobuf;
using Onnx;
using OnDeviceReco.Trainer.Models;
using TorchSharp.Modules;
using static OnDeviceReco.Trainer.Export.GraphBuilder;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace OnDeviceReco.Trainer.Export;

/// <summary>
/// Exports a trained <see cref="SequenceModel"/> as a self-contained ONNX graph (opset 17, IR 8) that scores
/// every item for a batch of left-padded histories and returns the top K.
/// <para>
/// Inputs: <c>item_ids</c> int64 [batch, L] (L = <see cref="ModelConfig.MaxLength"/>, left-padded with 0 as
/// <c>Histories.LeftPad</c> does), <c>exclude_seen</c> bool [1] (when true, items present in the row score −∞),
/// <c>k</c> int64 [1] (callers keep k ≤ item count).
/// Outputs: <c>top_ids</c> int64 [batch, k] (item indices 1..N, padding never returned), <c>top_scores</c>
/// float [batch, k] (descending), <c>user_vector</c> float [batch, d] (scores = user_vector · item_table[i]).
/// </para>
/// The item table (learned embedding plus content projection) is folded into one constant initializer.
/// <para>
/// The user-vector variant (<c>userVectorOnly</c>, for bundles with a compact item table) holds no item table:
/// inputs <c>item_ids</c> int64 [batch, L] (for the padding mask) and <c>item_vectors</c> float [batch, L, d]
/// (the table's rows for those ids, zero at padding, gathered by the device from its int8 table); output
/// <c>user_vector</c> only. The device then searches its table itself, so the float32 table is shipped and held
/// nowhere and ONNX Runtime never scans it.
/// </para>
/// </summary>
public static class OnnxExporter
{
    public const long IrVersion = 8;
    public const long Opset = 17;

    public const string ItemIdsInput = "item_ids";
    public const string ExcludeSeenInput = "exclude_seen";
    public const string KInput = "k";
    public const string TopIdsOutput = "top_ids";
    public const string TopScoresOutput = "top_scores";
    public const string UserVectorOutput = "user_vector";
    public const string ItemTableInitializer = "item_table";
    public const string ItemVectorsInput = "item_vectors";

    /// <summary>Serialised ONNX model bytes.</summary>
    public static byte[] Export(SequenceModel model, bool userVectorOnly = false) => BuildModel(model, userVectorOnly).ToByteArray();

    /// <summary>Writes the ONNX model to <paramref name="path"/> (directories are created).</summary>
    public static void Save(SequenceModel model, string path)
    {
        var bytes = Export(model);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The model as an OnnxSharp <see cref="ModelProto"/>.</summary>
    public static ModelProto BuildModel(SequenceModel model, bool userVectorOnly = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return model switch
            {
                SasRec sasRec => Wrap(model, "sasrec", BuildSasRec(sasRec, userVectorOnly)),
                Gru4Rec gru => Wrap(model, "gru", BuildGru(gru, userVectorOnly)),
                _ => throw new NotSupportedException($"ONNX export of {model.GetType().Name} is not implemented."),
            };
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static ModelProto Wrap(SequenceModel model, string architecture, GraphProto graph) =>
        Wrap(graph, $"{architecture} next-item model: top-K item indices (1..{model.TableSize - 1}) for left-padded histories.",
            ("architecture", architecture), ("config_name", model.Config.Name),
            ("max_length", model.Config.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("dimension", model.Config.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("table_size", model.TableSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A graph as a model of this exporter's IR version and opset, with its description and metadata.</summary>
    internal static ModelProto Wrap(GraphProto graph, string description, params (string Key, string Value)[] metadata)
    {
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "OnDeviceReco.Trainer",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            ModelVersion = 1,
            Graph = graph,
            DocString = description,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return proto;
    }

    // ---- shared head and tail -------------------------------------------------------------------------

    /// <summary>Declares the inputs and the item table; returns the table's name (null for the user-vector variant).</summary>
    private static string? Begin(GraphBuilder g, SequenceModel model, bool userVectorOnly)
    {
        int length = model.Config.MaxLength;
        g.Input(ItemIdsInput, DataType.Int64, "batch", (long)length);
        if (userVectorOnly)
        {
            g.Input(ItemVectorsInput, DataType.Float, "batch", (long)length, (long)model.RowWidth);
            return null;
        }
        g.Input(ExcludeSeenInput, DataType.Bool, 1L);
        g.Input(KInput, DataType.Int64, 1L);
        var table = model.ItemTable();
        return g.Float(ItemTableInitializer, ToFloats(table), table.shape[0], table.shape[1]);
    }

    /// <summary>The history's item vectors [B, L, d]: gathered from the table, or the device's input.</summary>
    private static string Embed(GraphBuilder g, string? table) =>
        table is null ? ItemVectorsInput : g.Node("Gather", [table, ItemIdsInput], "embedded", Attr("axis", 0L));

    /// <summary>What the sequence encoder reads of the history's rows: all of them, or the first d columns when text columns follow.</summary>
    private static string EncoderInput(GraphBuilder g, SequenceModel model, string embedded) =>
        model.Columns is null ? embedded
            : g.Node("Slice", [embedded, g.Int64Vector("encoder_start", 0), g.Int64Vector("encoder_end", model.Config.Dimension),
                g.Int64Vector("encoder_axes", 2)], "encoder_input");

    /// <summary>Scores against the table, excludes seen items, drops the padding column, takes the top K.</summary>
    private static GraphProto Finish(GraphBuilder g, SequenceModel model, string? table, string userVector)
    {
        g.Node("Identity", [userVector], UserVectorOutput);
        if (table is null)
        {
            g.Output(UserVectorOutput, DataType.Float, "batch", (long)model.RowWidth);
            return g.Graph;
        }
        var scores = g.Node("Gemm", [UserVectorOutput, table], "scores", Attr("transB", 1L));      // [B, T]

        var minusInf = new TensorProto { Name = "minus_inf", DataType = (int)DataType.Float };
        minusInf.Dims.Add(1);
        minusInf.FloatData.Add(float.NegativeInfinity);
        var idsShape = g.Node("Shape", [ItemIdsInput], "item_ids_shape");
        var updates = g.Node("ConstantOfShape", [idsShape], "seen_updates", Attr("value", minusInf));   // [B, L] of −∞
        // Every id in the row (padding 0 only hits column 0, sliced off below); all updates are equal, so
        // duplicate ids are harmless.
        var seen = g.Node("ScatterElements", [scores, ItemIdsInput, updates], "scores_seen_removed", Attr("axis", 1L));
        var masked = g.Node("Where", [ExcludeSeenInput, seen, scores], "scores_masked");
        var items = g.Node("Slice", [masked, g.Int64Vector("slice_start", 1), g.Int64Vector("slice_end", long.MaxValue),
            g.Int64Vector("slice_axes", 1)], "item_scores");                                                 // [B, T-1]
        var top = g.NodeMulti("TopK", [items, KInput], [TopScoresOutput, "top_positions"],
            Attr("axis", -1L), Attr("largest", 1L), Attr("sorted", 1L));
        g.Node("Add", [top[1], g.Int64Scalar("one", 1)], TopIdsOutput);

        g.Output(TopIdsOutput, DataType.Int64, "batch", "k");
        g.Output(TopScoresOutput, DataType.Float, "batch", "k");
        g.Output(UserVectorOutput, DataType.Float, "batch", (long)model.RowWidth);
        return g.Graph;
    }

    // ---- SASRec -------------------------------------------------------------------------------------------

    private static GraphProto BuildSasRec(SasRec model, bool userVectorOnly)
    {
        var g = new GraphBuilder("sasrec");
        var table = Begin(g, model, userVectorOnly);
        int length = model.Config.MaxLength, d = model.Config.Dimension;

        // keep = ids != 0, as float [B, L, 1] for the per-position multiplications and as bool for the mask.
        var keep = g.Node("Not", [g.Node("Equal", [ItemIdsInput, g.Int64Scalar("zero_id", 0)])], "keep");
        var keepFloat = g.Node("Unsqueeze", [g.Node("Cast", [keep], null, Attr("to", (long)DataType.Float)),
            g.Int64Vector("axes_last", 2)], "keep_float");                                                    // [B, L, 1]
        // mask[b, i, j] = causal[i, j] && keep[b, j], with a head axis: [B, 1, L, L].
        var causal = new bool[length * length];
        for (int i = 0; i < length; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                causal[i * length + j] = true;
            }
        }
        var keepKeys = g.Node("Unsqueeze", [keep, g.Int64Vector("axes_key", 1, 2)], "keep_keys");        // [B, 1, 1, L]
        var mask = g.Node("And", [g.Bool("causal", causal, length, length), keepKeys], "attention_mask");  // [B, 1, L, L]

        // x = E[ids] · √d + position[last L rows], zeroed at padding (dropout is the identity in eval mode).
        var embedded = Embed(g, table);                                                                       // [B, L, width]
        var x = g.Node("Mul", [EncoderInput(g, model, embedded), g.FloatScalar("sqrt_d", (float)Math.Sqrt(d))]);
        var positions = model.Position.weight!.narrow(0, model.Config.MaxLength - length, length);
        x = g.Node("Add", [x, g.Float("position", ToFloats(positions), length, d)]);
        x = g.Node("Mul", [x, keepFloat]);

        for (int b = 0; b < model.Blocks.Count; b++)
        {
            x = SasRecBlock(g, model.Blocks[b], $"block{b}", x, mask, d);
            x = g.Node("Mul", [x, keepFloat], $"block{b}_out");
        }
        x = LayerNorm(g, model.FinalNorm, "final_norm", x);
        var last = g.Node("Gather", [x, g.Int64Scalar("last_position", -1)], "last_hidden", Attr("axis", 1L)); // [B, d]
        return Finish(g, model, table, WithNewest(g, model, embedded, last));
    }

    /// <summary>
    /// The user vector plus β ⊙ the newest history item's vector when the model has that term
    /// (<see cref="SequenceModel.Newest"/>); left padding puts the newest item last, an empty history gives the zero row.
    /// </summary>
    private static string WithNewest(GraphBuilder g, SequenceModel model, string embedded, string user)
    {
        if (model.Newest is null)
        {
            return user;
        }
        var newest = g.Node("Gather", [embedded, g.Int64Scalar("newest_position", -1)], "newest_item", Attr("axis", 1L)); // [B, width]
        var weight = g.Float("newest_weight", ToFloats(model.NewestWeight()), model.RowWidth);
        if (model.TextTaste is { } taste)
        {
            // The encoder's state [B, d] gets its text columns [B, r] (the taste map), to which β ⊙ the newest item's
            // columns are added below.
            var map = taste.weight!;                                                                       // [r, d]
            var mapped = g.Node("MatMul", [user, g.Float("text_taste.weight_t", ToFloats(map.t()), map.shape[1], map.shape[0])]);
            user = g.Node("Concat", [user, mapped], "user_wide", Attr("axis", 1L));
        }
        return g.Node("Add", [user, g.Node("Mul", [newest, weight])], "user_with_newest");
    }

    private static string SasRecBlock(GraphBuilder g, SasRecBlock block, string p, string x, string mask, int d)
    {
        int heads = block.Heads, dh = d / heads;
        var h = LayerNorm(g, block.AttentionNorm, $"{p}_attention_norm", x);
        var splitShape = g.Int64Vector($"{p}_split_shape", 0, 0, heads, dh);
        string Split(string t, long[] perm) => g.Node("Transpose", [g.Node("Reshape", [t, splitShape])], null, Attr("perm", perm));
        var q = Split(Linear(g, block.Query, $"{p}_query", h), [0, 2, 1, 3]);                               // [B, H, L, dh]
        var kT = Split(Linear(g, block.Key, $"{p}_key", h), [0, 2, 3, 1]);                                  // [B, H, dh, L]
        var v = Split(Linear(g, block.Value, $"{p}_value", h), [0, 2, 1, 3]);                               // [B, H, L, dh]
        var scores = g.Node("MatMul", [q, kT]);
        scores = g.Node("Mul", [scores, g.FloatScalar($"{p}_scale", (float)(1.0 / Math.Sqrt(dh)))]);
        scores = g.Node("Where", [mask, scores, g.FloatScalar($"{p}_masked_score", SasRec.MaskedScore)]);
        var attention = g.Node("Softmax", [scores], null, Attr("axis", -1L));
        var context = g.Node("MatMul", [attention, v]);                                                      // [B, H, L, dh]
        context = g.Node("Transpose", [context], null, Attr("perm", new long[] { 0, 2, 1, 3 }));
        context = g.Node("Reshape", [context, g.Int64Vector($"{p}_merge_shape", 0, 0, d)]);                 // [B, L, d]
        x = g.Node("Add", [x, Linear(g, block.Output, $"{p}_output", context)], $"{p}_attention_residual");

        var f = LayerNorm(g, block.FeedForwardNorm, $"{p}_feed_forward_norm", x);
        var hidden = g.Node("Relu", [Linear(g, block.Hidden, $"{p}_hidden", f)]);
        return g.Node("Add", [x, Linear(g, block.Project, $"{p}_project", hidden)], $"{p}_feed_forward_residual");
    }

    /// <summary>y = x Wᵀ + b as MatMul with the pre-transposed weight [in, out], then Add.</summary>
    private static string Linear(GraphBuilder g, Linear linear, string name, string x)
    {
        var weight = linear.weight!;                                                                       // [out, in]
        var y = g.Node("MatMul", [x, g.Float($"{name}.weight_t", ToFloats(weight.t()), weight.shape[1], weight.shape[0])]);
        return linear.bias is { } bias ? g.Node("Add", [y, g.Float($"{name}.bias", ToFloats(bias), bias.shape[0])]) : y;
    }

    private static string LayerNorm(GraphBuilder g, LayerNorm norm, string name, string x)
    {
        var weight = norm.weight ?? throw new NotSupportedException($"{name}: LayerNorm without an affine weight.");
        long d = weight.shape[0];
        var scale = g.Float($"{name}.weight", ToFloats(weight), d);
        var bias = norm.bias is { } b ? g.Float($"{name}.bias", ToFloats(b), d) : g.Float($"{name}.bias", new float[d], d);
        return g.Node("LayerNormalization", [x, scale, bias], null, Attr("axis", -1L), Attr("epsilon", (float)SasRec.LayerNormEps));
    }

    // ---- GRU4Rec --------------------------------------------------------------------------------------

    private static GraphProto BuildGru(Gru4Rec model, bool userVectorOnly)
    {
        var g = new GraphBuilder("gru4rec");
        var table = Begin(g, model, userVectorOnly);
        int d = model.Config.Dimension;

        var parameters = model.Gru.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        Tensor Parameter(string name) => parameters.TryGetValue(name, out var p) ? p
            : throw new NotSupportedException($"GRU parameter '{name}' not found (have: {string.Join(", ", parameters.Keys)}).");
        if (parameters.Keys.Any(k => k.EndsWith("_l1", StringComparison.Ordinal) || k.Contains("reverse", StringComparison.Ordinal)))
        {
            throw new NotSupportedException("Only a single-layer unidirectional GRU can be exported.");
        }

        // PyTorch stacks gates as (r, z, n); ONNX as (z, r, h).
        var w = ToOnnxGates(Parameter("weight_ih_l0"), d);
        var r = ToOnnxGates(Parameter("weight_hh_l0"), d);
        var biasIh = ToOnnxGates(Parameter("bias_ih_l0"), d);
        var biasHh = ToOnnxGates(Parameter("bias_hh_l0"), d);
        var bias = new float[6 * d];
        biasIh.CopyTo(bias, 0);
        biasHh.CopyTo(bias, 3 * d);

        var embedded = Embed(g, table);                                                                      // [B, L, width]
        var x = g.Node("Transpose", [EncoderInput(g, model, embedded)], "embedded_seq_major", Attr("perm", new long[] { 1, 0, 2 }));  // [L, B, d]
        // Left padding feeds zero vectors (row 0 of the table) through the GRU, exactly as in training.
        var outputs = g.NodeMulti("GRU",
            [x, g.Float("gru.W", w, 1, 3 * d, d), g.Float("gru.R", r, 1, 3 * d, d), g.Float("gru.B", bias, 1, 6 * d)],
            ["gru_y", "gru_y_h"],
            Attr("hidden_size", (long)d), Attr("linear_before_reset", 1L), Attr("direction", "forward"));
        // Y_h [1, B, d] is the hidden state after the last time step (no sequence_lens: every row runs L steps).
        var last = g.Node("Squeeze", [outputs[1], g.Int64Vector("axes_direction", 0)], "last_hidden");        // [B, d]
        return Finish(g, model, table, WithNewest(g, model, embedded, last));
    }

    /// <summary>Reorders the first axis of a stacked GRU tensor [3d, …] from PyTorch (r, z, n) to ONNX (z, r, h).</summary>
    private static float[] ToOnnxGates(Tensor stacked, int d)
    {
        var gates = stacked.chunk(3, 0);
        return ToFloats(cat([gates[1], gates[0], gates[2]], 0));
    }

    private static float[] ToFloats(Tensor t) =>
        t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
}
