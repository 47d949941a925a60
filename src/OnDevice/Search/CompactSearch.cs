using System.Runtime.Intrinsics;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Search;

/// <summary>
/// Two-stage top-K over a <see cref="CompactItemTable"/>. Stage 1 scans every row with 8-bit integer dot
/// products (a quarter of the bytes a float32 scan reads) and keeps the best <c>shortlist</c> rows by the
/// approximate score; stage 2 rescores only those with the float32 user vector against the stored rows
/// (<see cref="CompactItemTable.Dot"/>) and sorts them. Only the user vector's 7-bit rounding is approximate
/// in stage 1, so with a shortlist a few times K the final order is the exact order of the stored table.
/// </summary>
internal static class CompactSearch
{
    /// <summary>
    /// The best <paramref name="count"/> rows (1…rows−1; row 0 is padding) by score against <paramref name="user"/>,
    /// best first, leaving out <paramref name="excluded"/>. Fewer when fewer rows are left.
    /// </summary>
    public static (int Index, float Score)[] TopK(CompactItemTable table, ReadOnlySpan<float> user, int count, int shortlist,
        ReadOnlySpan<int> excluded)
    {
        var layout = table.Layout;
        var heap = new CandidateHeap(Math.Max(count, shortlist));
        Scan(table, new QuantizedUser(user, layout.Groups), heap, excluded);
        var rows = heap.Rows;
        var results = new (int Index, float Score)[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            results[i] = (rows[i], table.Dot(rows[i], user));
        }
        // Best first; equal scores by index so the order never depends on the heap's.
        results.AsSpan().Sort(default(BestFirst));
        return results.Length <= count ? results : results[..count];
    }

    private static void Scan(CompactItemTable table, QuantizedUser user, CandidateHeap heap, ReadOnlySpan<int> excluded)
    {
        var layout = table.Layout;
        var codes = table.Codes;
        var scales = table.Scales;
        Span<int> sums = stackalloc int[CompactTableLayout.BlockRows];
        Span<float> approximate = stackalloc float[CompactTableLayout.BlockRows];
        for (int block = 0; block < layout.Blocks; block++)
        {
            Int8BlockScan.Block(codes, layout.Stride, block, user, sums);
            int first = block * CompactTableLayout.BlockRows;
            float threshold = heap.Threshold;
            uint beats = Approximate(sums, scales.Slice(first, CompactTableLayout.BlockRows), user.Scale, threshold, approximate);
            while (beats != 0)
            {
                int lane = System.Numerics.BitOperations.TrailingZeroCount(beats);
                beats &= beats - 1;
                int row = first + lane;
                if (row == 0 || row >= layout.Rows || excluded.Contains(row))
                {
                    continue;
                }
                heap.Offer(row, approximate[lane]);
            }
        }
    }

    private readonly struct BestFirst : IComparer<(int Index, float Score)>
    {
        public int Compare((int Index, float Score) a, (int Index, float Score) b) =>
            a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index);
    }

    /// <summary>Scores = sum × row scale × user scale; returns a bit per lane whose score beats <paramref name="threshold"/>.</summary>
    private static uint Approximate(ReadOnlySpan<int> sums, ReadOnlySpan<float> scales, float userScale, float threshold, Span<float> scores)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var factor = Vector256.Create(userScale);
            var bar = Vector256.Create(threshold);
            var low = Vector256.ConvertToSingle(Vector256.Create(sums)) * Vector256.Create(scales) * factor;
            var high = Vector256.ConvertToSingle(Vector256.Create(sums[8..])) * Vector256.Create(scales[8..]) * factor;
            low.CopyTo(scores);
            high.CopyTo(scores[8..]);
            return Vector256.GreaterThan(low, bar).ExtractMostSignificantBits()
                | Vector256.GreaterThan(high, bar).ExtractMostSignificantBits() << 8;
        }
        uint bits = 0;
        for (int i = 0; i < sums.Length; i++)
        {
            scores[i] = sums[i] * scales[i] * userScale;
            if (scores[i] > threshold)
            {
                bits |= 1u << i;
            }
        }
        return bits;
    }
}
