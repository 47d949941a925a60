using OnDeviceReco.Inference;

namespace OnDeviceReco.Tests.Inference;

/// <summary>
/// The lazily ordered best entries of a score row give the graph's TopK order wherever asked: the exact first entries,
/// every entry's exact rank from its bucket, buckets that follow the order, and a cut at any count — checked against a
/// plain sort, also after entries are dropped (as exploration drops refused items).
/// </summary>
public sealed class RankedRowTests
{
    [Theory]
    [InlineData(10_000, 5_000, 1)]    // random scores, the better half
    [InlineData(100_000, 5_000, 1)]   // random scores, a twentieth
    [InlineData(10_000, 5_000, 3)]    // descending
    [InlineData(10_000, 5_000, 4)]    // few distinct values: long runs of ties, one bucket per value
    [InlineData(10_000, 5_000, 5)]    // −∞ (seen items) and signed zeros among random scores
    [InlineData(3_000, 2_999, 6)]     // all but one, most of them −∞
    [InlineData(100_000, 5_000, 7)]   // scores in [1, 2): one exponent, only the mantissa's bits differ
    [InlineData(100_000, 5_000, 8)]   // a period of 20 in the row's order: scores clustered by group
    [InlineData(10_000, 1_000, 9)]    // one score everywhere: a single bucket
    [InlineData(120, 300, 1)]         // fewer entries than asked for
    public void Ranks_and_cuts_are_the_graphs_order(int length, int count, int pattern)
    {
        var row = ScoreRows.Make(length, pattern);
        var expected = ScoreRows.Best(row, count);
        var buffers = new RowTopK.Buffers();
        var ranked = new RankedRow();
        for (int round = 0; round < 2; round++) // memory reused
        {
            RowTopK.Rank(row, count, buffers, ranked);
            Assert.Equal(expected.Length, ranked.Count);
            ranked.TakeBest(200, row);
            Assert.Equal(expected.Take(200).Select(Bits), ranked.Best.Select(Bits)); // the row's own bits, −0 included
            AssertRanks(ranked, expected.Select(e => e.Index).ToList());

            // Cut at the better half of what is held, then drop every third entry: ranks count only what is left.
            int half = (expected.Length + 1) / 2;
            ranked.Cut(half);
            var left = expected.Take(half).Select(e => e.Index).Where(index => index % 3 != 0).ToList();
            for (int b = 0; b < ranked.Buckets; b++)
            {
                var entries = ranked.Bucket(b);
                int kept = 0;
                foreach (ulong key in entries)
                {
                    if (RankedRow.IndexOf(key) % 3 != 0)
                    {
                        entries[kept++] = key;
                    }
                }
                ranked.Shrink(b, kept);
            }
            AssertRanks(ranked, left);
            Assert.Equal(expected.Take(half).Where(e => e.Index % 3 != 0).Select(e => (e.Index, e.Score + 0f)), ranked.ToOrdered());
        }
    }

    [Fact]
    public void An_ordered_list_is_held_as_it_is()
    {
        (int Index, float Score)[] ordered = [(7, 3f), (2, 3f), (9, float.NegativeInfinity), (1, 5f), (4, -0f)]; // any order is kept
        var ranked = new RankedRow();
        ranked.FromOrdered(ordered);
        Assert.Equal(ordered, ranked.ToOrdered());
        AssertRanks(ranked, ordered.Select(e => e.Index).ToList());
        Assert.True(float.IsNegativeInfinity(ranked.ScoreOf(ranked.Bucket(2)[0])));
        ranked.Cut(2);
        Assert.Equal(ordered[..2], ranked.ToOrdered());
    }

    /// <summary>Buckets follow the order and each entry's place in its bucket is its exact rank among the entries held.</summary>
    private static void AssertRanks(RankedRow ranked, List<int> expectedOrder)
    {
        var rankOf = expectedOrder.Select((index, rank) => (index, rank)).ToDictionary(p => p.index, p => p.rank);
        int before = 0;
        int seen = 0;
        for (int b = 0; b < ranked.Buckets; b++)
        {
            var keys = ranked.Bucket(b).ToArray();
            foreach (ulong key in keys)
            {
                Assert.Equal(rankOf[RankedRow.IndexOf(key)], before + ranked.PlaceInBucket(b, key));
            }
            Assert.All(keys, key => Assert.InRange(rankOf[RankedRow.IndexOf(key)], before, before + keys.Length - 1));
            before += keys.Length;
            seen += keys.Length;
        }
        Assert.Equal(expectedOrder.Count, seen);
    }

    private static (int, int) Bits((int Index, float Score) entry) => (entry.Index, BitConverter.SingleToInt32Bits(entry.Score));
}
