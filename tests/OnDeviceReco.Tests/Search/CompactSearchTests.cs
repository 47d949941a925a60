using OnDeviceReco.Protocol;
using OnDeviceReco.Search;
using OnDeviceReco.Tests.Support;
using Xunit.Abstractions;

namespace OnDeviceReco.Tests.Search;

/// <summary>The two-stage search: exact when the shortlist covers the table, same sums on every instruction set, recall at scale.</summary>
public sealed class CompactSearchTests(ITestOutputHelper output)
{
    private static (int Index, float Score)[] BruteForce(CompactItemTable table, float[] user, int count, int[] excluded) =>
        Enumerable.Range(1, table.Layout.Rows - 1).Where(i => !excluded.Contains(i))
            .Select(i => (Index: i, Score: table.Dot(i, user)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(count).ToArray();

    [Theory]
    [InlineData(64, 100)]
    [InlineData(50, 37)]
    [InlineData(32, 16)]
    public void With_a_shortlist_covering_the_table_it_equals_the_exact_order(int dimension, int items)
    {
        var source = new ClusteredItemTable(items, dimension, seed: items);
        var table = CompactItemTable.Wrap(CompactTableEncoder.Encode(source.Table, dimension), items + 1, dimension);
        var random = new Random(4);
        for (int q = 0; q < 20; q++)
        {
            var user = source.User(random);
            int[] excluded = q % 2 == 0 ? [] : [1, 2, random.Next(1, items + 1)];
            var expected = BruteForce(table, user, 10, excluded);
            var actual = CompactSearch.TopK(table, user, 10, shortlist: items, excluded);
            Assert.Equal(expected.Select(e => e.Index), actual.Select(a => a.Index));
            Assert.Equal(expected.Select(e => e.Score), actual.Select(a => a.Score));
        }
    }

    [Fact]
    public void Seen_items_padding_and_padded_rows_are_never_returned()
    {
        var source = new ClusteredItemTable(21, 16, seed: 9); // 22 rows: the last block has 10 padded rows (scale 0)
        var table = CompactItemTable.Wrap(CompactTableEncoder.Encode(source.Table, 16), 22, 16);
        var user = source.User(new Random(1));
        var all = CompactSearch.TopK(table, user, 100, 100, []);
        Assert.Equal(21, all.Length);
        Assert.Equal(Enumerable.Range(1, 21), all.Select(a => a.Index).Order());
        int[] seen = [.. all.Take(5).Select(a => a.Index)];
        var rest = CompactSearch.TopK(table, user, 10, 10, seen);
        Assert.Empty(rest.Select(r => r.Index).Intersect(seen));
        Assert.Equal(all.Skip(5).Take(10).Select(a => a.Index), rest.Select(r => r.Index));
    }

    [Fact]
    public void Every_instruction_set_computes_the_same_integer_sums()
    {
        var source = new ClusteredItemTable(300, 64, seed: 5);
        var table = CompactItemTable.Wrap(CompactTableEncoder.Encode(source.Table, 64), 301, 64);
        var user = new QuantizedUser(source.User(new Random(2)), table.Layout.Groups);
        Span<int> fast = stackalloc int[16], scalar = stackalloc int[16];
        for (int block = 0; block < table.Layout.Blocks; block++)
        {
            Int8BlockScan.Block(table.Codes, table.Layout.Stride, block, user, fast);
            Int8BlockScan.ScalarBlock(table.Codes, table.Layout.Stride, block, user, scalar);
            Assert.True(fast.SequenceEqual(scalar), $"block {block}");
        }
        output.WriteLine($"vectorised: {Int8BlockScan.Path}");
    }

    [Fact]
    public void Recall_at_10_against_exact_float32_is_at_least_0_99_on_a_100k_clustered_table()
    {
        const int items = 100_000, dimension = 64, queries = 60;
        var source = new ClusteredItemTable(items, dimension, seed: 42);
        var table = CompactItemTable.Wrap(CompactTableEncoder.Encode(source.Table, dimension), items + 1, dimension);
        var random = new Random(7);
        int hits = 0;
        for (int q = 0; q < queries; q++)
        {
            var user = source.User(random);
            var exact = source.ExactTop(user, 10);
            // As the device runs it: the candidate pool of 200, a shortlist of 400.
            var approximate = CompactSearch.TopK(table, user, 200, 400, []).Take(10).Select(a => a.Index);
            hits += exact.Intersect(approximate).Count();
        }
        double recall = hits / (10.0 * queries);
        output.WriteLine($"recall@10 on {items:N0} clustered items: {recall:0.0000}");
        Assert.True(recall >= 0.99, $"recall@10 {recall}");
    }
}
