using OnDeviceReco.Inference;

namespace OnDeviceReco.Tests.Inference;

/// <summary>
/// The selection from a score row gives the graph's TopK order exactly: best score first, equal scores by position
/// (−0 and +0 equal), the entries' own bits. Checked against a plain sort for rows that defeat the sampled threshold.
/// </summary>
public sealed class RowTopKTests
{
    [Theory]
    [InlineData(10_000, 5_000, 1)]    // random scores, the better half
    [InlineData(100_000, 5_000, 1)]   // random scores, a twentieth
    [InlineData(10_000, 200, 2)]      // ascending: the best at the end of the row
    [InlineData(10_000, 5_000, 3)]    // descending
    [InlineData(10_000, 5_000, 4)]    // few distinct values: long runs of ties at the threshold
    [InlineData(10_000, 5_000, 5)]    // −∞ (seen items) and signed zeros among random scores
    [InlineData(3_000, 2_999, 6)]     // all but one, most of them −∞
    [InlineData(100_000, 5_000, 7)]   // scores in [1, 2): one exponent, only the mantissa's bits differ
    [InlineData(100_000, 5_000, 8)]   // a period of 20 in the row's order (items listed group by group in turn)
    [InlineData(10_000, 1_000, 9)]    // one score everywhere
    [InlineData(120, 300, 1)]         // fewer entries than asked for
    [InlineData(7, 3, 4)]             // shorter than a vector
    public void It_gives_the_best_entries_in_the_graphs_order(int length, int count, int pattern)
    {
        var row = ScoreRows.Make(length, pattern);
        var expected = ScoreRows.Best(row, count);
        var buffers = new RowTopK.Buffers();
        for (int round = 0; round < 2; round++) // buffers reused
        {
            var selected = new (int Index, float Score)[count];
            int n = RowTopK.Select(row, 1, selected, buffers);
            Assert.Equal(expected.Length, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(expected[i].Index, selected[i].Index);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i].Score), BitConverter.SingleToInt32Bits(selected[i].Score));
            }
        }
    }
}
