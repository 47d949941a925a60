using OnDeviceReco.Protocol;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Search;

/// <summary>The int8 item table: round-trip error bounds, in-place reading and refusal of malformed bytes.</summary>
public sealed class CompactTableTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(50)] // not a whole number of 4-dimension groups: the padded codes must stay zero
    [InlineData(3)]
    public void Every_value_round_trips_within_half_a_step_of_its_rows_scale(int dimension)
    {
        var source = new ClusteredItemTable(37, dimension, seed: 1);
        var table = source.Table.ToArray();
        // Rows of very different magnitude: per-row scales keep the small one precise.
        for (int j = 0; j < dimension; j++)
        {
            table[5 * dimension + j] *= 1e-3f;
            table[6 * dimension + j] *= 1e3f;
        }
        var compact = CompactItemTable.Wrap(CompactTableEncoder.Encode(table, dimension), 38, dimension);
        var row = new float[dimension];
        for (int r = 0; r <= 37; r++)
        {
            var original = table.AsSpan(r * dimension, dimension);
            float max = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(original));
            compact.Dequantize(r, row);
            for (int j = 0; j < dimension; j++)
            {
                Assert.True(Math.Abs(row[j] - original[j]) <= max / 254 * 1.0001f + 1e-30f, $"row {r} dim {j}: {original[j]} → {row[j]}");
            }
            // Dot reads the same codes: it agrees with the dequantised row.
            var v = source.User(new Random(r));
            float expected = System.Numerics.Tensors.TensorPrimitives.Dot(row, v);
            Assert.Equal(expected, compact.Dot(r, v), Math.Max(1e-4f, Math.Abs(expected) * 1e-5f));
        }
        Assert.Equal(0, compact.Scales[0]); // the padding row
    }

    [Theory]
    [InlineData(64)]
    [InlineData(50)]
    [InlineData(3)]
    public void With_residuals_every_value_round_trips_within_an_eighth_of_a_step(int dimension)
    {
        var source = new ClusteredItemTable(37, dimension, seed: 11);
        var table = source.Table.ToArray();
        for (int j = 0; j < dimension; j++)
        {
            table[5 * dimension + j] *= 1e-3f;
        }
        var residuals = CompactTableEncoder.EncodeResiduals(table, dimension);
        var layout = new CompactTableLayout(38, dimension);
        Assert.Equal(layout.ResidualBytes, residuals.LongLength);
        var compact = CompactItemTable.Wrap(CompactTableEncoder.Encode(table, dimension), 38, dimension, residuals);
        Assert.True(compact.HasResiduals);
        var row = new float[dimension];
        double coarse = 0, fine = 0;
        var withoutResiduals = CompactItemTable.Wrap(CompactTableEncoder.Encode(table, dimension), 38, dimension);
        var coarseRow = new float[dimension];
        for (int r = 0; r <= 37; r++)
        {
            var original = table.AsSpan(r * dimension, dimension);
            float max = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(original));
            compact.Dequantize(r, row);
            withoutResiduals.Dequantize(r, coarseRow);
            for (int j = 0; j < dimension; j++)
            {
                Assert.True(Math.Abs(row[j] - original[j]) <= max / 127 / 8 * 1.0001f + 1e-30f, $"row {r} dim {j}: {original[j]} → {row[j]}");
                fine += Math.Abs(row[j] - original[j]);
                coarse += Math.Abs(coarseRow[j] - original[j]);
            }
            var v = source.User(new Random(r));
            float expected = System.Numerics.Tensors.TensorPrimitives.Dot(row, v);
            Assert.Equal(expected, compact.Dot(r, v), Math.Max(1e-4f, Math.Abs(expected) * 1e-5f));
        }
        // Uniform rounding errors: a quarter of the step leaves about a quarter of the mean error. (Each row's largest
        // value is exact without a residual and 1/8 of a step off with one, which only matters in very short rows.)
        if (dimension >= 16)
        {
            Assert.InRange(fine / coarse, 0.15, 0.35);
        }
        Assert.Throws<InvalidDataException>(() => CompactItemTable.Wrap(CompactTableEncoder.Encode(table, dimension), 38, dimension, residuals[..^1]));
    }

    [Fact]
    public void The_table_is_a_third_of_float32_and_read_in_place()
    {
        var source = new ClusteredItemTable(1000, 64, seed: 2);
        var bytes = CompactTableEncoder.Encode(source.Table, 64);
        var residuals = CompactTableEncoder.EncodeResiduals(source.Table, 64);
        var compact = CompactItemTable.Wrap(bytes, 1001, 64, residuals);
        Assert.Equal(bytes.LongLength + residuals.LongLength, compact.SizeInBytes);
        Assert.True(compact.SizeInBytes <= source.Table.Length * sizeof(float) / 3.0, $"{compact.SizeInBytes} bytes");
        // In place: a change to the array is a change to the table (the verifier's array is the only copy).
        bytes[compact.Layout.CodeOffset(3, 0)] ^= 1;
        var row = new float[64];
        compact.Dequantize(3, row);
        Assert.NotEqual(source.Table[3 * 64], row[0], 1e-6f);
    }

    [Fact]
    public void Malformed_tables_are_refused()
    {
        var bytes = CompactTableEncoder.Encode(new ClusteredItemTable(20, 8, seed: 3).Table, 8);
        Assert.Throws<InvalidDataException>(() => CompactItemTable.Wrap(bytes, 20, 8)); // same padded size, fewer rows
        Assert.Throws<InvalidDataException>(() => CompactItemTable.Wrap(bytes[..^1], 21, 8));
        var layout = new CompactTableLayout(21, 8);
        var bad = bytes.ToArray();
        BitConverter.GetBytes(float.NaN).CopyTo(bad, (int)layout.CodeBytes + 4);
        Assert.Throws<InvalidDataException>(() => CompactItemTable.Wrap(bad, 21, 8));
        BitConverter.GetBytes(-1f).CopyTo(bad, (int)layout.CodeBytes + 4);
        Assert.Throws<InvalidDataException>(() => CompactItemTable.Wrap(bad, 21, 8));
    }
}
