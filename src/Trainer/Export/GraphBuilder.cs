using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace OnDeviceReco.Trainer.Export;

/// <summary>
/// Accumulates an ONNX graph through OnnxSharp's protobuf classes: initializers (stored as raw little-endian
/// data), nodes with unique output names, and typed graph inputs/outputs.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly GraphProto _graph;
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    public GraphBuilder(string name) => _graph = new GraphProto { Name = name };

    public GraphProto Graph => _graph;

    /// <summary>A fresh value name with the given prefix ("mul" → "mul_0", "mul_1", …).</summary>
    public string Fresh(string prefix)
    {
        _counters.TryGetValue(prefix, out int n);
        _counters[prefix] = n + 1;
        return $"{prefix}_{n}";
    }

    // ---- initializers -------------------------------------------------------------------------------

    public string Float(string name, ReadOnlySpan<float> data, params long[] dims) =>
        Add(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(data), dims, data.Length);

    public string Int64(string name, ReadOnlySpan<long> data, params long[] dims) =>
        Add(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(data), dims, data.Length);

    public string Bool(string name, ReadOnlySpan<bool> data, params long[] dims) =>
        Add(name, TensorProto.Types.DataType.Bool, MemoryMarshal.AsBytes(data), dims, data.Length);

    /// <summary>A float scalar (rank 0).</summary>
    public string FloatScalar(string name, float value) => Float(name, [value]);

    /// <summary>An int64 scalar (rank 0).</summary>
    public string Int64Scalar(string name, long value) => Int64(name, [value]);

    /// <summary>A 1-D int64 vector, e.g. axes, shapes, slice bounds.</summary>
    public string Int64Vector(string name, params long[] values) => Int64(name, values, values.Length);

    private string Add(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> raw, long[] dims, int count)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; big-endian hosts are not supported.");
        }
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (expected != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} elements but dims [{string.Join(", ", dims)}] need {expected}.");
        }
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    // ---- nodes ---------------------------------------------------------------------------------------

    /// <summary>Adds a node with one output named after the op (or <paramref name="output"/>); returns that name.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params AttributeProto[] attributes) =>
        NodeMulti(opType, inputs, [output ?? Fresh(opType.ToLowerInvariant())], attributes)[0];

    /// <summary>Adds a node with the given outputs ("" = unused optional output); returns them.</summary>
    public string[] NodeMulti(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Fresh("n_" + opType) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    // ---- attributes ------------------------------------------------------------------------------------

    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Attr(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    // ---- graph inputs / outputs -------------------------------------------------------------------------

    /// <summary>Dimensions are either a fixed size (long) or a symbolic name (string).</summary>
    public void Input(string name, TensorProto.Types.DataType type, params object[] dims) =>
        _graph.Input.Add(ValueInfo(name, type, dims));

    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) =>
        _graph.Output.Add(ValueInfo(name, type, dims));

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"Dimension of '{name}' must be a size or a symbol, not {dim.GetType().Name}."),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
