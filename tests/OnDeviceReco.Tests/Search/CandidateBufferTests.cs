using OnDeviceReco.Search;

namespace OnDeviceReco.Tests.Search;

/// <summary>The scan's top-N buffer: after any sequence of offers it holds exactly the best N scores.</summary>
public sealed class CandidateBufferTests
{
    [Theory]
    [InlineData(250, 10_000, 1)]      // random scores
    [InlineData(250, 10_000, 2)]      // ascending: every row beats the last, the buffer compacts again and again
    [InlineData(100, 5_000, 3)]       // descending: only the first rows get in
    [InlineData(50, 2_000, 4)]        // few distinct values: ties at the threshold
    [InlineData(300, 120, 1)]         // fewer rows than the capacity
    public void It_keeps_exactly_the_best_scores(int capacity, int rows, int pattern)
    {
        var random = new Random(pattern * 31 + rows);
        var scores = Enumerable.Range(0, rows).Select(i => pattern switch
        {
            2 => i * 0.5f,
            3 => -i * 0.5f,
            4 => random.Next(20),
            _ => (float)random.NextDouble(),
        }).ToArray();
        var buffer = new CandidateBuffer(capacity);
        for (int round = 0; round < 2; round++) // reused after Reset
        {
            buffer.Reset();
            for (int row = 0; row < rows; row++)
            {
                if (scores[row] > buffer.Threshold)
                {
                    buffer.Offer(row, scores[row]);
                }
            }
            var kept = buffer.Finish().ToArray();
            Assert.Equal(Math.Min(capacity, rows), kept.Length);
            Assert.Equal(kept.Length, kept.Distinct().Count());
            // The kept scores are the best ones (with ties, any of the tied rows may be kept).
            var expected = scores.OrderByDescending(s => s).Take(kept.Length);
            Assert.Equal(expected, kept.Select(r => scores[r]).OrderByDescending(s => s));
        }
    }
}
