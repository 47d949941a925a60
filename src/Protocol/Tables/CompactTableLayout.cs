namespace OnDeviceReco.Protocol;

/// <summary>
/// Where each byte of <c>item_table.i8</c> lives. Rows are stored in blocks of <see cref="BlockRows"/>; inside a
/// block the codes are interleaved four dimensions at a time (dims 0–3 of rows 0–15, then dims 4–7 of rows 0–15, …).
/// That is the layout a 4-byte multiply-accumulate (VNNI <c>vpdpbusd</c>, or <c>pmaddubsw</c> + <c>pmaddwd</c>)
/// consumes directly: one 32-bit lane per row, so the scan never needs a horizontal sum per row.
/// After the codes come the per-row scales, little-endian float32, one per (padded) row.
/// <para>
/// The optional residual file (<c>item_table.r2</c>) is row-major: <see cref="Groups"/> bytes per padded row, the
/// byte of group g holding a 2-bit residual r for each of its four dimensions (dimension 4g + j in bits 2j, 2j + 1).
/// A value is then scale × (code + (2r − 3) / 8) instead of scale × code: within scale / 8 instead of scale / 2.
/// </para>
/// </summary>
public readonly record struct CompactTableLayout
{
    /// <summary>Rows per interleaved block: two 256-bit vectors of 8 rows × 4 bytes.</summary>
    public const int BlockRows = 16;

    /// <summary>Dimensions interleaved together: one 32-bit lane holds 4 codes.</summary>
    public const int GroupDims = 4;

    /// <summary>The layout of a table of <paramref name="rows"/> (padding row included) × <paramref name="dimension"/>.</summary>
    public CompactTableLayout(int rows, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Rows = rows;
        Dimension = dimension;
    }

    /// <summary>Real rows: the items plus row 0, the padding row.</summary>
    public int Rows { get; }

    /// <summary>The model's embedding dimension.</summary>
    public int Dimension { get; }

    /// <summary>Dimensions rounded up to a whole group; the extra codes are zero.</summary>
    public int Stride => (Dimension + GroupDims - 1) / GroupDims * GroupDims;

    /// <summary>Groups of <see cref="GroupDims"/> dimensions per row.</summary>
    public int Groups => Stride / GroupDims;

    /// <summary>Rows rounded up to a whole block; the extra rows have zero codes and scale 0 and are never returned.</summary>
    public int PaddedRows => (Rows + BlockRows - 1) / BlockRows * BlockRows;

    /// <summary>Blocks of <see cref="BlockRows"/> rows.</summary>
    public int Blocks => PaddedRows / BlockRows;

    /// <summary>Bytes of codes: one signed byte per (padded row, padded dimension).</summary>
    public long CodeBytes => (long)PaddedRows * Stride;

    /// <summary>The whole file: codes, then one float32 scale per padded row.</summary>
    public long TotalBytes => CodeBytes + (long)PaddedRows * sizeof(float);

    /// <summary>Bytes of the residual file: one byte per (padded row, group of four dimensions).</summary>
    public long ResidualBytes => (long)PaddedRows * Groups;

    /// <summary>Offset of the code of (<paramref name="row"/>, <paramref name="dim"/>).</summary>
    public long CodeOffset(int row, int dim) =>
        (long)(row / BlockRows) * BlockRows * Stride + dim / GroupDims * (BlockRows * GroupDims) + row % BlockRows * GroupDims + dim % GroupDims;
}
