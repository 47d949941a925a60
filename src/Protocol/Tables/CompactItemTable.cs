using System.Runtime.InteropServices;

namespace OnDeviceReco.Protocol;

/// <summary>
/// A read-only view of verified <c>item_table.i8</c> bytes (<see cref="CompactTableLayout"/>): the codes and
/// scales are read in place from the array the verifier handed back, so the table is held once, at about a
/// quarter of its float32 size, and never copied.
/// </summary>
public sealed class CompactItemTable
{
    private readonly byte[] _bytes;

    private CompactItemTable(byte[] bytes, CompactTableLayout layout)
    {
        _bytes = bytes;
        Layout = layout;
    }

    /// <summary>Rows, dimension and where each code lives.</summary>
    public CompactTableLayout Layout { get; }

    /// <summary>Wraps <paramref name="bytes"/> (not copied) after checking its size and that every scale is finite and ≥ 0.</summary>
    /// <exception cref="InvalidDataException">When the bytes are not a table of <paramref name="rows"/> × <paramref name="dimension"/>.</exception>
    public static CompactItemTable Wrap(byte[] bytes, int rows, int dimension)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The compact item table is little-endian; big-endian hosts are not supported.");
        }
        var layout = new CompactTableLayout(rows, dimension);
        if (bytes.LongLength != layout.TotalBytes)
        {
            throw new InvalidDataException($"{BundleFileNames.CompactItemTable} holds {bytes.LongLength} bytes; {rows} rows × {dimension} need {layout.TotalBytes}.");
        }
        var table = new CompactItemTable(bytes, layout);
        var scales = table.Scales;
        for (int row = 0; row < scales.Length; row++)
        {
            if (!float.IsFinite(scales[row]) || scales[row] < 0)
            {
                throw new InvalidDataException($"{BundleFileNames.CompactItemTable} holds a scale of {scales[row]} (row {row}).");
            }
            // Padding rows carry scale 0, so a table written for another item count (same padded size) is caught here.
            if (row >= rows && scales[row] != 0)
            {
                throw new InvalidDataException($"{BundleFileNames.CompactItemTable} has a non-zero scale in padding row {row}: it was not written for {rows} rows.");
            }
        }
        return table;
    }

    /// <summary>The interleaved codes of every padded row.</summary>
    public ReadOnlySpan<sbyte> Codes => MemoryMarshal.Cast<byte, sbyte>(_bytes.AsSpan(0, (int)Layout.CodeBytes));

    /// <summary>One scale per padded row (0 for padding rows).</summary>
    public ReadOnlySpan<float> Scales => MemoryMarshal.Cast<byte, float>(_bytes.AsSpan((int)Layout.CodeBytes));

    /// <summary>Bytes held: the table's whole resident cost.</summary>
    public long SizeInBytes => _bytes.LongLength;

    /// <summary>Writes row <paramref name="row"/> as float32 (code × scale) into <paramref name="destination"/>.</summary>
    public void Dequantize(int row, Span<float> destination)
    {
        var codes = RowGroups(row, out int first);
        float scale = Scales[row];
        for (int dim = 0; dim < Layout.Dimension; dim++)
        {
            destination[dim] = codes[first + dim / GroupDims * GroupStride + dim % GroupDims] * scale;
        }
    }

    /// <summary>
    /// The float32 score of row <paramref name="row"/> against <paramref name="vector"/>: Σ vᵢ·codeᵢ, times the
    /// row's scale. This is the exact score of the stored table; only the quantisation of the table differs
    /// from a float32 table.
    /// </summary>
    public float Dot(int row, ReadOnlySpan<float> vector)
    {
        var codes = RowGroups(row, out int first);
        int d = Layout.Dimension, whole = d / GroupDims * GroupDims;
        float sum = 0;
        // One group of four codes at a time: they sit together, 16 rows' worth of bytes apart from the next group.
        for (int dim = 0, at = first; dim < whole; dim += GroupDims, at += GroupStride)
        {
            sum += vector[dim] * codes[at] + vector[dim + 1] * codes[at + 1] + vector[dim + 2] * codes[at + 2] + vector[dim + 3] * codes[at + 3];
        }
        for (int dim = whole; dim < d; dim++)
        {
            sum += vector[dim] * codes[first + dim / GroupDims * GroupStride + dim % GroupDims];
        }
        return sum * Scales[row];
    }

    /// <summary>Σ codeₐ·code_b of two rows: the cosine's numerator (each row's scale cancels out of a cosine).</summary>
    public int CodeDot(int a, int b)
    {
        var codesA = RowGroups(a, out int firstA);
        var codesB = RowGroups(b, out int firstB);
        int dot = 0; // |sum| ≤ 127² × d: no overflow below 133,000 dimensions
        for (int g = 0, at = 0; g < Layout.Groups; g++, at += GroupStride)
        {
            int x = firstA + at, y = firstB + at;
            dot += codesA[x] * codesB[y] + codesA[x + 1] * codesB[y + 1] + codesA[x + 2] * codesB[y + 2] + codesA[x + 3] * codesB[y + 3];
        }
        return dot;
    }

    /// <summary>
    /// 1 / ‖codes‖ of every row (0 for an all-zero row), so a cosine is <see cref="CodeDot"/> × two of these:
    /// 4 bytes per row on top of the table, computed once at load instead of twice per comparison.
    /// </summary>
    public float[] InverseCodeNorms()
    {
        var inverse = new float[Layout.Rows];
        for (int row = 0; row < inverse.Length; row++)
        {
            int norm = CodeDot(row, row);
            inverse[row] = norm == 0 ? 0 : (float)(1 / Math.Sqrt(norm));
        }
        return inverse;
    }

    /// <summary>Cosine of two rows from their codes; 0 when either row is all zeros.</summary>
    public float Cosine(int a, int b)
    {
        int normA = CodeDot(a, a), normB = CodeDot(b, b);
        return normA == 0 || normB == 0 ? 0 : (float)(CodeDot(a, b) / Math.Sqrt((double)normA * normB));
    }

    private const int GroupDims = CompactTableLayout.GroupDims;
    private const int GroupStride = CompactTableLayout.BlockRows * CompactTableLayout.GroupDims;

    /// <summary>The codes of <paramref name="row"/>'s block, and where its first group starts in it.</summary>
    private ReadOnlySpan<sbyte> RowGroups(int row, out int first)
    {
        int blockBytes = CompactTableLayout.BlockRows * Layout.Stride;
        first = row % CompactTableLayout.BlockRows * GroupDims;
        return Codes.Slice(row / CompactTableLayout.BlockRows * blockBytes, blockBytes);
    }
}
