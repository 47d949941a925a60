using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OnDeviceReco.Protocol;

/// <summary>
/// A read-only view of verified <c>item_table.i8</c> bytes (<see cref="CompactTableLayout"/>) and, when the bundle
/// has them, its <c>item_table.r2</c> residuals: the codes, scales and residuals are read in place from the arrays
/// the verifier handed back, so the table is held once, at about a third of its float32 size, and never copied.
/// </summary>
public sealed class CompactItemTable
{
    private const int GroupDims = CompactTableLayout.GroupDims;
    private const int GroupStride = CompactTableLayout.BlockRows * CompactTableLayout.GroupDims;

    /// <summary>For each residual byte, the four offsets (2r − 3) / 8 its 2-bit fields add to their codes.</summary>
    private static readonly float[] ResidualOffsets = BuildResidualOffsets();

    private readonly byte[] _bytes;
    private readonly byte[]? _residuals;

    private CompactItemTable(byte[] bytes, byte[]? residuals, CompactTableLayout layout)
    {
        _bytes = bytes;
        _residuals = residuals;
        Layout = layout;
    }

    /// <summary>Rows, dimension and where each code lives.</summary>
    public CompactTableLayout Layout { get; }

    /// <summary>True when values carry their 2-bit residuals (scale / 8 from float32 instead of scale / 2).</summary>
    public bool HasResiduals => _residuals is not null;

    /// <summary>
    /// The compact table of a verified bundle's files (with its residuals when listed), or null when the bundle
    /// has no <see cref="BundleFileNames.CompactItemTable"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">When a file's size or content does not fit <paramref name="rows"/> × <paramref name="dimension"/>.</exception>
    public static CompactItemTable? FromFiles(IReadOnlyDictionary<string, byte[]> files, int rows, int dimension)
    {
        ArgumentNullException.ThrowIfNull(files);
        return files.TryGetValue(BundleFileNames.CompactItemTable, out var bytes)
            ? Wrap(bytes, rows, dimension, files.GetValueOrDefault(BundleFileNames.CompactItemResiduals))
            : null;
    }

    /// <summary>Wraps <paramref name="bytes"/> and <paramref name="residuals"/> (not copied) after checking their sizes and that every scale is finite and ≥ 0.</summary>
    /// <exception cref="InvalidDataException">When the bytes are not a table of <paramref name="rows"/> × <paramref name="dimension"/>.</exception>
    public static CompactItemTable Wrap(byte[] bytes, int rows, int dimension, byte[]? residuals = null)
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
        if (residuals is not null && residuals.LongLength != layout.ResidualBytes)
        {
            throw new InvalidDataException($"{BundleFileNames.CompactItemResiduals} holds {residuals.LongLength} bytes; {rows} rows × {dimension} need {layout.ResidualBytes}.");
        }
        var table = new CompactItemTable(bytes, residuals, layout);
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

    /// <summary>Bytes held: the table's whole resident cost (residuals included).</summary>
    public long SizeInBytes => _bytes.LongLength + (_residuals?.LongLength ?? 0);

    /// <summary>Writes row <paramref name="row"/> as float32 (code, plus residual when present, × scale) into <paramref name="destination"/>.</summary>
    public void Dequantize(int row, Span<float> destination)
    {
        var codes = RowGroups(row, out int first);
        var residuals = RowResiduals(row);
        float scale = Scales[row];
        int d = Layout.Dimension;
        int whole = Vector256.IsHardwareAccelerated ? d / (2 * GroupDims) * (2 * GroupDims) : 0;
        ref byte code = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(codes));
        for (int dim = 0; dim < whole; dim += 2 * GroupDims)
        {
            (EightValues(ref code, first, residuals, dim / GroupDims) * scale).CopyTo(destination[dim..]);
        }
        for (int dim = whole; dim < d; dim++)
        {
            destination[dim] = Value(codes, first, residuals, dim) * scale;
        }
    }

    /// <summary>
    /// The float32 score of row <paramref name="row"/> against <paramref name="vector"/>: Σ vᵢ·valueᵢ, times the
    /// row's scale. This is the exact score of the stored table; only the quantisation of the table differs
    /// from a float32 table.
    /// </summary>
    public float Dot(int row, ReadOnlySpan<float> vector)
    {
        var codes = RowGroups(row, out int first);
        var residuals = RowResiduals(row);
        int d = Layout.Dimension;
        int whole = Vector256.IsHardwareAccelerated ? d / (2 * GroupDims) * (2 * GroupDims) : 0;
        ref byte code = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(codes));
        ref float v = ref MemoryMarshal.GetReference(vector);
        var sums = Vector256<float>.Zero;
        for (int dim = 0; dim < whole; dim += 2 * GroupDims)
        {
            sums += EightValues(ref code, first, residuals, dim / GroupDims) * Vector256.LoadUnsafe(ref v, (nuint)dim);
        }
        float sum = Vector256.Sum(sums);
        for (int dim = whole; dim < d; dim++)
        {
            sum += vector[dim] * Value(codes, first, residuals, dim);
        }
        return sum * Scales[row];
    }

    /// <summary>
    /// Dimensions 4g … 4g + 7 of a row (groups g and g + 1) before scaling: two groups of four codes, 64 bytes apart in
    /// the interleaved block, sign-extended to eight floats, plus their residual offsets.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> EightValues(ref byte code, int first, ReadOnlySpan<byte> residuals, int group)
    {
        uint low = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref code, first + group * GroupStride));
        uint high = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref code, first + (group + 1) * GroupStride));
        var shorts = Vector128.WidenLower(Vector128.CreateScalar(low | (ulong)high << 32).AsSByte());
        var values = Vector256.ConvertToSingle(Vector256.Create(Vector128.WidenLower(shorts), Vector128.WidenUpper(shorts)));
        if (residuals.IsEmpty)
        {
            return values;
        }
        ref float offsets = ref MemoryMarshal.GetArrayDataReference(ResidualOffsets);
        return values + Vector256.Create(
            Vector128.LoadUnsafe(ref offsets, (nuint)(residuals[group] * GroupDims)),
            Vector128.LoadUnsafe(ref offsets, (nuint)(residuals[group + 1] * GroupDims)));
    }

    /// <summary>One dimension of a row before scaling: the portable path for what <see cref="EightValues"/> does eight at a time.</summary>
    private static float Value(ReadOnlySpan<sbyte> codes, int first, ReadOnlySpan<byte> residuals, int dim)
    {
        int group = dim / GroupDims, lane = dim % GroupDims;
        float offset = residuals.IsEmpty ? 0 : ResidualOffsets[residuals[group] * GroupDims + lane];
        return codes[first + group * GroupStride + lane] + offset;
    }

    /// <summary>The codes of <paramref name="row"/>'s block, and where its first group starts in it.</summary>
    private ReadOnlySpan<sbyte> RowGroups(int row, out int first)
    {
        int blockBytes = CompactTableLayout.BlockRows * Layout.Stride;
        first = row % CompactTableLayout.BlockRows * GroupDims;
        return Codes.Slice(row / CompactTableLayout.BlockRows * blockBytes, blockBytes);
    }

    /// <summary>The residual bytes of <paramref name="row"/>, one per group; empty without residuals.</summary>
    private ReadOnlySpan<byte> RowResiduals(int row) =>
        _residuals is null ? default : _residuals.AsSpan(row * Layout.Groups, Layout.Groups);

    private static float[] BuildResidualOffsets()
    {
        var offsets = new float[256 * GroupDims];
        for (int b = 0; b < 256; b++)
        {
            for (int lane = 0; lane < GroupDims; lane++)
            {
                int step = b >> (2 * lane) & 3;
                offsets[b * GroupDims + lane] = (2 * step - 3) / 8f;
            }
        }
        return offsets;
    }
}
