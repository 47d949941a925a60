namespace OnDeviceReco.Inference;

/// <summary>
/// Declares the exact graph's full score row (<c>item_scores</c>: every item's score, seen items already at −∞ when
/// asked, the tensor its TopK reads) as one more graph output, so a run that needs the better half of the catalogue
/// reads the row instead of asking the graph to sort thousands of candidates. The declaration is appended to the
/// serialised model: a protobuf message field that occurs twice is merged, so the bytes
/// <c>graph { output { name: "item_scores" type { tensor_type { elem_type: FLOAT } } } }</c> add an output and change
/// nothing else. Only the in-memory copy the session is built from changes; the verified bytes are untouched.
/// </summary>
internal static class ScoreRowOutput
{
    public const string Name = "item_scores";

    private const byte ModelGraph = 7 << 3 | 2;       // ModelProto.graph, length-delimited
    private const byte GraphOutput = 12 << 3 | 2;     // GraphProto.output
    private const byte ValueName = 1 << 3 | 2;        // ValueInfoProto.name
    private const byte ValueType = 2 << 3 | 2;        // ValueInfoProto.type
    private const byte TensorType = 1 << 3 | 2;       // TypeProto.tensor_type
    private const byte ElementType = 1 << 3;          // TypeProto.Tensor.elem_type, varint
    private const byte Float = 1;                     // TensorProto.DataType.FLOAT

    /// <summary>A copy of <paramref name="model"/> that also outputs <see cref="Name"/>.</summary>
    public static byte[] Declare(byte[] model)
    {
        byte[] type = [ValueType, 4, TensorType, 2, ElementType, Float];
        var name = System.Text.Encoding.ASCII.GetBytes(Name);
        int valueInfo = 2 + name.Length + type.Length;
        int graph = 2 + valueInfo;
        var appended = new List<byte>(2 + graph) { ModelGraph, (byte)graph, GraphOutput, (byte)valueInfo, ValueName, (byte)name.Length };
        appended.AddRange(name);
        appended.AddRange(type);
        var result = new byte[model.Length + appended.Count];
        model.CopyTo(result, 0);
        appended.CopyTo(result, model.Length);
        return result;
    }
}
