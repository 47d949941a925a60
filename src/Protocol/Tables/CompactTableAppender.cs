namespace OnDeviceReco.Protocol;

/// <summary>
/// Grows a compact item table by new rows at its end without touching the old ones: every existing row keeps its exact
/// codes, scale and residuals (moved to where the larger layout puts them), and only the new rows are quantised. A
/// catalogue update uses it, so items already on devices score exactly as they did.
/// </summary>
public static class CompactTableAppender
{
    /// <summary>
    /// The table and residual files of <paramref name="rows"/> existing rows (padding row included) plus
    /// <paramref name="newRows"/> (row-major float32, whole rows of <paramref name="dimension"/>).
    /// </summary>
    /// <exception cref="ArgumentException">When the files do not have the size of that layout, or a new row is not finite.</exception>
    public static (byte[] Table, byte[] Residuals) Append(ReadOnlySpan<byte> table, ReadOnlySpan<byte> residuals, int rows, int dimension,
        ReadOnlySpan<float> newRows)
    {
        var old = new CompactTableLayout(rows, dimension);
        if (table.Length != old.TotalBytes || residuals.Length != old.ResidualBytes)
        {
            throw new ArgumentException($"The files hold {table.Length} and {residuals.Length} bytes; {rows} rows × {dimension} need {old.TotalBytes} and {old.ResidualBytes}.");
        }
        if (newRows.Length % dimension != 0)
        {
            throw new ArgumentException($"{newRows.Length} floats are not whole rows of {dimension}.", nameof(newRows));
        }
        int added = newRows.Length / dimension;
        var grown = new CompactTableLayout(rows + added, dimension);
        var tableOut = new byte[grown.TotalBytes];
        var residualsOut = new byte[grown.ResidualBytes];
        for (int row = 0; row < rows; row++)
        {
            for (int dim = 0; dim < old.Stride; dim++)
            {
                tableOut[grown.CodeOffset(row, dim)] = table[(int)old.CodeOffset(row, dim)];
            }
            table.Slice((int)(old.CodeBytes + (long)row * sizeof(float)), sizeof(float)).CopyTo(tableOut.AsSpan((int)(grown.CodeBytes + (long)row * sizeof(float))));
        }
        // Residuals are row-major with the same bytes per row: the old rows are one prefix.
        residuals[..(rows * old.Groups)].CopyTo(residualsOut);
        if (added > 0)
        {
            // Encoded as a table of their own (its row 0 is the first new row), then moved into place the same way.
            var fresh = new CompactTableLayout(added, dimension);
            byte[] codes = CompactTableEncoder.Encode(newRows, dimension);
            byte[] rests = CompactTableEncoder.EncodeResiduals(newRows, dimension);
            for (int row = 0; row < added; row++)
            {
                for (int dim = 0; dim < fresh.Stride; dim++)
                {
                    tableOut[grown.CodeOffset(rows + row, dim)] = codes[fresh.CodeOffset(row, dim)];
                }
                codes.AsSpan((int)(fresh.CodeBytes + (long)row * sizeof(float)), sizeof(float))
                    .CopyTo(tableOut.AsSpan((int)(grown.CodeBytes + (long)(rows + row) * sizeof(float))));
            }
            rests.AsSpan(0, added * fresh.Groups).CopyTo(residualsOut.AsSpan(rows * old.Groups));
        }
        return (tableOut, residualsOut);
    }
}
