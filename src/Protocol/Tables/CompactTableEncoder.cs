using System.Buffers.Binary;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Writes <c>item_table.i8</c>: each row quantised to signed 8-bit codes with its own scale
/// (scale = max |x| / 127, code = round(x / scale)), so every element is within scale / 2 of the original
/// and a row with small values keeps its precision instead of sharing a table-wide scale.
/// </summary>
public static class CompactTableEncoder
{
    /// <summary>Encodes a row-major float32 table [rows, dimension] (row 0 the padding row).</summary>
    public static byte[] Encode(ReadOnlySpan<float> table, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (table.Length == 0 || table.Length % dimension != 0)
        {
            throw new ArgumentException($"A table of {table.Length} floats is not whole rows of {dimension}.", nameof(table));
        }
        var layout = new CompactTableLayout(table.Length / dimension, dimension);
        if (layout.TotalBytes > Array.MaxLength)
        {
            throw new ArgumentException($"A compact table of {layout.Rows} rows × {dimension} does not fit one array.", nameof(table));
        }
        var bytes = new byte[layout.TotalBytes];
        for (int row = 0; row < layout.Rows; row++)
        {
            var values = table.Slice(row * dimension, dimension);
            float max = 0;
            foreach (float v in values)
            {
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException($"Row {row} of the item table holds {v}.", nameof(table));
                }
                max = Math.Max(max, Math.Abs(v));
            }
            float scale = max / 127f;
            for (int dim = 0; dim < dimension; dim++)
            {
                int code = scale == 0 ? 0 : (int)Math.Clamp(MathF.Round(values[dim] / scale), -127, 127);
                bytes[layout.CodeOffset(row, dim)] = (byte)(sbyte)code;
            }
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)(layout.CodeBytes + (long)row * sizeof(float))), scale);
        }
        return bytes;
    }
}
