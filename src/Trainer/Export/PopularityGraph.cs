using Google.Protobuf;
using DataType = Onnx.TensorProto.Types.DataType;

namespace OnDeviceReco.Trainer.Export;

/// <summary>
/// A graph of the user-vector form devices search a compact table with (<see cref="OnnxExporter"/>: inputs
/// <c>item_ids</c> [batch, L] and <c>item_vectors</c> [batch, L, d], output <c>user_vector</c> [batch, d]) that ignores
/// the history: every row's user vector is the first unit vector, so an item scores the first value of its table row.
/// With rows [score, 0, …] the device's own search ranks items by that score — popularity as a model version, served,
/// signed and tried in experiments like any other.
/// </summary>
public static class PopularityGraph
{
    public const string Architecture = "popularity";

    /// <summary>Serialised ONNX model bytes for histories of <paramref name="maxLength"/> and item rows of <paramref name="dimension"/>.</summary>
    public static byte[] Export(int maxLength, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var g = new GraphBuilder(Architecture);
        g.Input(OnnxExporter.ItemIdsInput, DataType.Int64, "batch", (long)maxLength);
        g.Input(OnnxExporter.ItemVectorsInput, DataType.Float, "batch", (long)maxLength, (long)dimension);
        var unit = new float[dimension];
        unit[0] = 1;
        // [batch, d]: the batch from the ids' shape, d from the vectors' (the inputs are read for their shapes only).
        var batch = g.Node("Slice", [g.Node("Shape", [OnnxExporter.ItemIdsInput]), g.Int64Vector("batch_start", 0), g.Int64Vector("batch_end", 1)]);
        var width = g.Node("Slice", [g.Node("Shape", [OnnxExporter.ItemVectorsInput]), g.Int64Vector("width_start", 2), g.Int64Vector("width_end", 3)]);
        var shape = g.Node("Concat", [batch, width], "user_shape", GraphBuilder.Attr("axis", 0L));
        g.Node("Expand", [g.Float("first_axis", unit, 1, dimension), shape], OnnxExporter.UserVectorOutput);
        g.Output(OnnxExporter.UserVectorOutput, DataType.Float, "batch", (long)dimension);
        return OnnxExporter.Wrap(g.Graph, "popularity: every history's user vector is the first axis, so items rank by their rows' first value",
            ("architecture", Architecture), ("max_length", maxLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("dimension", dimension.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToByteArray();
    }
}
