using System.Runtime.Intrinsics;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Search;

/// <summary>
/// Two-stage top-K over a <see cref="CompactItemTable"/>. Stage 1 scans every row with 8-bit integer dot
/// products (a quarter of the bytes a float32 scan reads) and keeps the best <c>shortlist</c> rows by the
/// approximate score; stage 2 rescores only those with the float32 user vector against the stored rows
/// (<see cref="CompactItemTable.Dot"/>, with the residuals when the bundle has them) and sorts them. Stage 1 ranks
/// by the int8 codes and a 7-bit user vector, so with a shortlist a little longer than the candidate pool the
/// final order is the exact order of the stored table.
/// </summary>
internal static class CompactSearch
{
    /// <summary>
    /// The best <paramref name="count"/> rows (1…rows−1; row 0 is padding) by score against <paramref name="user"/>,
    /// best first, leaving out <paramref name="excluded"/>. Fewer when fewer rows are left.
    /// </summary>
    public static (int Index, float Score)[] TopK(CompactItemTable table, ReadOnlySpan<float> user, int count, int shortlist,
        ReadOnlySpan<int> excluded) =>
        TopK(table, user, count, new SearchBuffers(table.Layout.Groups, Math.Max(count, shortlist)), excluded);

    /// <summary>As above, with the shortlist and working memory of <paramref name="buffers"/> (reused, not allocated).</summary>
    public static (int Index, float Score)[] TopK(CompactItemTable table, ReadOnlySpan<float> user, int count, SearchBuffers buffers,
        ReadOnlySpan<int> excluded)
    {
        buffers.User.Set(user);
        buffers.Candidates.Reset();
        Scan(table, buffers.User, buffers.Candidates, excluded);
        var rows = buffers.Candidates.Finish();
        var keys = buffers.Keys.AsSpan(0, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            keys[i] = SortKey(rows[i], table.Dot(rows[i], user));
        }
        // Best first; equal scores by index, so the order never depends on the order rows were kept in.
        keys.Sort();
        var results = new (int Index, float Score)[Math.Min(count, keys.Length)];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = FromSortKey(keys[i]);
        }
        return results;
    }

    private static void Scan(CompactItemTable table, QuantizedUser user, CandidateBuffer candidates, ReadOnlySpan<int> excluded)
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
            uint beats = Approximate(sums, scales.Slice(first, CompactTableLayout.BlockRows), user.Scale, candidates.Threshold, approximate);
            while (beats != 0)
            {
                int lane = System.Numerics.BitOperations.TrailingZeroCount(beats);
                beats &= beats - 1;
                int row = first + lane;
                if (row == 0 || row >= layout.Rows || excluded.Contains(row))
                {
                    continue;
                }
                // The threshold may have risen since the block's mask was taken (the buffer was compacted).
                if (approximate[lane] > candidates.Threshold)
                {
                    candidates.Offer(row, approximate[lane]);
                }
            }
        }
    }

    /// <summary>
    /// A key whose ascending order is descending score, then ascending row: the score's bits mapped to an unsigned
    /// order and inverted in the high half, the row in the low half. −0 is taken as +0 so they tie as floats do.
    /// </summary>
    private static ulong SortKey(int row, float score)
    {
        uint bits = BitConverter.SingleToUInt32Bits(score + 0f);
        uint ascending = (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
        return (ulong)~ascending << 32 | (uint)row;
    }

    private static (int Index, float Score) FromSortKey(ulong key)
    {
        uint ascending = ~(uint)(key >> 32);
        uint bits = (ascending & 0x8000_0000) != 0 ? ascending & 0x7FFF_FFFF : ~ascending;
        return ((int)(uint)key, BitConverter.UInt32BitsToSingle(bits));
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
