using System.Buffers.Binary;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Writes <c>item_table.i8</c>: each row quantised to signed 8-bit codes with its own scale
/// (scale = max |x| / 127, code = round(x / scale)), so every element is within scale / 2 of the original
/// and a row with small values keeps its precision instead of sharing a table-wide scale; and its residual
/// file <c>item_table.r2</c>: what each code rounded off, in four steps of scale / 4 (<see cref="CompactTableLayout"/>).
/// </summary>
public static class CompactTableEncoder
{
    /// <summary>Encodes a row-major float32 table [rows, dimension] (row 0 the padding row).</summary>
    public static byte[] Encode(ReadOnlySpan<float> table, int dimension)
    {
        var layout = Layout(table, dimension, nameof(table));
        var bytes = new byte[layout.TotalBytes];
        for (int row = 0; row < layout.Rows; row++)
        {
            var values = table.Slice(row * dimension, dimension);
            float scale = RowScale(values, row);
            for (int dim = 0; dim < dimension; dim++)
            {
                bytes[layout.CodeOffset(row, dim)] = (byte)(sbyte)Code(values[dim], scale);
            }
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)(layout.CodeBytes + (long)row * sizeof(float))), scale);
        }
        return bytes;
    }

    /// <summary>The residual file for the table <see cref="Encode"/> writes from the same floats.</summary>
    public static byte[] EncodeResiduals(ReadOnlySpan<float> table, int dimension)
    {
        var layout = Layout(table, dimension, nameof(table));
        var bytes = new byte[layout.ResidualBytes];
        for (int row = 0; row < layout.Rows; row++)
        {
            var values = table.Slice(row * dimension, dimension);
            float scale = RowScale(values, row);
            if (scale == 0)
            {
                continue;
            }
            for (int dim = 0; dim < dimension; dim++)
            {
                // What the code rounded off, in units of the scale: within ±0.5, so four steps of 0.25 cover it.
                float rest = values[dim] / scale - Code(values[dim], scale);
                int step = Math.Clamp((int)MathF.Floor((rest + 0.5f) * 4), 0, 3);
                bytes[(long)row * layout.Groups + dim / CompactTableLayout.GroupDims] |= (byte)(step << (2 * (dim % CompactTableLayout.GroupDims)));
            }
        }
        return bytes;
    }

    private static CompactTableLayout Layout(ReadOnlySpan<float> table, int dimension, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (table.Length == 0 || table.Length % dimension != 0)
        {
            throw new ArgumentException($"A table of {table.Length} floats is not whole rows of {dimension}.", name);
        }
        var layout = new CompactTableLayout(table.Length / dimension, dimension);
        if (layout.TotalBytes > Array.MaxLength)
        {
            throw new ArgumentException($"A compact table of {layout.Rows} rows × {dimension} does not fit one array.", name);
        }
        return layout;
    }

    private static float RowScale(ReadOnlySpan<float> values, int row)
    {
        float max = 0;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"Row {row} of the item table holds {v}.", "table");
            }
            max = Math.Max(max, Math.Abs(v));
        }
        return max / 127f;
    }

    private static int Code(float value, float scale) => scale == 0 ? 0 : (int)Math.Clamp(MathF.Round(value / scale), -127, 127);
}
