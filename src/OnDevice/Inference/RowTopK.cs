using System.Runtime.Intrinsics;

namespace OnDeviceReco.Inference;

/// <summary>
/// The best <c>count</c> entries of a score row, best first, equal scores by position: the order the graph's own TopK
/// gives, computed here without sorting the row. A sample of the row (one entry from each stretch) sets a threshold a
/// little below the count-th score; one vectorised pass keeps the entries at or above it (lowered again, rarely, if too few were
/// kept), and only those are sorted, by a stable radix sort of their score keys. Working memory is held by the
/// caller (<see cref="Buffers"/>), so a call allocates nothing.
/// </summary>
internal static class RowTopK
{
    private const int SampleSize = 256;

    /// <summary>Working memory for one call at a time.</summary>
    internal sealed class Buffers
    {
        public float[] Sample { get; } = new float[SampleSize];
        public ulong[] Keys { get; set; } = [];
        public ulong[] Spare { get; set; } = [];
        public int[] Counts { get; } = new int[4 * 256];

        public void Ensure(int length)
        {
            if (Keys.Length < length)
            {
                Keys = new ulong[length];
                Spare = new ulong[length];
            }
        }
    }

    /// <summary>
    /// Writes the best <paramref name="destination"/>.Length entries of <paramref name="row"/> (fewer when the row is
    /// shorter) as (position + <paramref name="firstIndex"/>, score), best first; returns how many.
    /// </summary>
    public static int Select(ReadOnlySpan<float> row, int firstIndex, Span<(int Index, float Score)> destination, Buffers buffers)
    {
        int count = Math.Min(destination.Length, row.Length);
        if (count == 0)
        {
            return 0;
        }
        int kept = KeepAtLeast(row, count, buffers);
        // Only NaN is never kept: the graph's row holds none, and such entries are left out rather than guessed at.
        count = Math.Min(count, kept);
        if (count == 0)
        {
            return 0;
        }
        var sorted = Sort(buffers.Keys.AsSpan(0, kept), buffers.Spare.AsSpan(0, kept), buffers.Counts);
        for (int i = 0; i < count; i++)
        {
            int position = (int)(uint)sorted[i];
            destination[i] = (position + firstIndex, row[position]);
        }
        return count;
    }

    /// <summary>
    /// The best <paramref name="count"/> entries of <paramref name="row"/> (fewer when the row is shorter), unordered:
    /// <paramref name="ranked"/> holds them in buckets by score and orders only what its user asks about.
    /// </summary>
    public static void Rank(ReadOnlySpan<float> row, int count, Buffers buffers, RankedRow ranked)
    {
        count = Math.Min(count, row.Length);
        int kept = count == 0 ? 0 : KeepAtLeast(row, count, buffers);
        ranked.FromScoreKeys(buffers.Keys.AsSpan(0, kept), Math.Min(count, kept));
    }

    /// <summary>
    /// Keeps, as sort keys in position order (<see cref="Buffers.Keys"/>), at least the best <paramref name="count"/>
    /// entries (count ≤ row length) and a few more; returns how many (fewer only when the row holds NaN).
    /// </summary>
    private static int KeepAtLeast(ReadOnlySpan<float> row, int count, Buffers buffers)
    {
        for (int attempt = 0; ; attempt++)
        {
            float threshold = attempt < 3 ? Threshold(row, count, 1 << (2 * attempt), buffers) : float.NegativeInfinity;
            int kept = Keep(row, threshold, buffers);
            if (kept >= count || float.IsNegativeInfinity(threshold))
            {
                return kept;
            }
        }
    }

    /// <summary>A score that about <paramref name="count"/> × a margin entries reach, from a sample; −∞ when that is the whole row.</summary>
    private static float Threshold(ReadOnlySpan<float> row, int count, int widen, Buffers buffers)
    {
        int size = Math.Min(SampleSize, row.Length);
        var sample = buffers.Sample.AsSpan(0, size);
        long stride = row.Length / size;
        for (int i = 0; i < size; i++)
        {
            // One entry from each stretch of the row, at a scrambled place within it: a fixed stride would see only a few
            // residues of the position, and a catalogue with a period in its order (items listed group by group in turn)
            // would be sampled from a few of its groups, the threshold far off and the kept entries many times too many.
            sample[i] = row[(int)(i * stride + (uint)(i * 2654435761u) % stride)];
        }
        sample.Sort();
        double expected = count * (double)size / row.Length;
        // A little more than expected and three standard deviations of the sample's count: a second pass is rare.
        int at = (int)Math.Ceiling((expected * 1.05 + 3 * Math.Sqrt(expected) + 2) * widen);
        return at >= size ? float.NegativeInfinity : sample[size - 1 - at];
    }

    /// <summary>Keeps every entry at or above <paramref name="threshold"/>, in position order, as sort keys; returns how many.</summary>
    private static int Keep(ReadOnlySpan<float> row, float threshold, Buffers buffers)
    {
        int kept = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && !float.IsNegativeInfinity(threshold))
        {
            buffers.Ensure(Math.Min(row.Length, 1024));
            var bar = Vector256.Create(threshold);
            for (; i + Vector256<float>.Count <= row.Length; i += Vector256<float>.Count)
            {
                uint bits = Vector256.GreaterThanOrEqual(Vector256.Create(row.Slice(i, Vector256<float>.Count)), bar).ExtractMostSignificantBits();
                if (bits == 0)
                {
                    continue;
                }
                if (kept + Vector256<float>.Count > buffers.Keys.Length)
                {
                    Grow(buffers, row.Length, kept);
                }
                while (bits != 0)
                {
                    int lane = System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    buffers.Keys[kept++] = SortKey(i + lane, row[i + lane]);
                }
            }
        }
        else
        {
            buffers.Ensure(row.Length);
        }
        for (; i < row.Length; i++)
        {
            if (row[i] >= threshold)
            {
                if (kept == buffers.Keys.Length)
                {
                    Grow(buffers, row.Length, kept);
                }
                buffers.Keys[kept++] = SortKey(i, row[i]);
            }
        }
        return kept;
    }

    private static void Grow(Buffers buffers, int limit, int kept)
    {
        var keys = new ulong[Math.Min(limit, Math.Max(1024, buffers.Keys.Length * 2))];
        buffers.Keys.AsSpan(0, kept).CopyTo(keys);
        buffers.Keys = keys;
        buffers.Spare = new ulong[keys.Length];
    }

    /// <summary>
    /// Ascending order = descending score, then ascending position: the score's bits mapped to an unsigned order and
    /// inverted in the high half, the position in the low half. −0 is taken as +0 so they tie as floats do.
    /// </summary>
    internal static ulong SortKey(int position, float score)
    {
        uint bits = BitConverter.SingleToUInt32Bits(score + 0f);
        uint ascending = (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
        return (ulong)~ascending << 32 | (uint)position;
    }

    /// <summary>The score a <see cref="SortKey"/> was made from (−0 comes back as +0).</summary>
    internal static float ScoreOf(ulong key)
    {
        uint ascending = ~(uint)(key >> 32);
        return BitConverter.UInt32BitsToSingle((ascending & 0x8000_0000) != 0 ? ascending & 0x7FFF_FFFF : ~ascending);
    }

    /// <summary>
    /// Least-significant-digit radix sort on the high 32 bits, a byte at a time. The keys arrive in position order and
    /// every pass is stable, so equal scores stay in position order without sorting on it. Returns the sorted span.
    /// </summary>
    private static Span<ulong> Sort(Span<ulong> keys, Span<ulong> spare, int[] counts)
    {
        Array.Clear(counts);
        foreach (ulong key in keys)
        {
            counts[(int)(key >> 32) & 0xFF]++;
            counts[256 + ((int)(key >> 40) & 0xFF)]++;
            counts[512 + ((int)(key >> 48) & 0xFF)]++;
            counts[768 + (int)(key >> 56)]++;
        }
        for (int digit = 0; digit < 4; digit++)
        {
            var histogram = counts.AsSpan(digit * 256, 256);
            int shift = 32 + 8 * digit;
            if (histogram[(int)(keys[0] >> shift) & 0xFF] == keys.Length)
            {
                continue; // every key has this byte: the pass would not move anything
            }
            int offset = 0;
            for (int b = 0; b < 256; b++)
            {
                int n = histogram[b];
                histogram[b] = offset;
                offset += n;
            }
            foreach (ulong key in keys)
            {
                spare[histogram[(int)(key >> shift) & 0xFF]++] = key;
            }
            var swap = keys;
            keys = spare;
            spare = swap;
        }
        return keys;
    }
}
