using System.Collections.Concurrent;

namespace OnDeviceReco.Inference;

/// <summary>
/// The best entries of a wide run (<see cref="LoadedModel.RunWide"/>), best first, ordered only where asked: the
/// entries are held in buckets that follow the order (every entry of a bucket ranks below every entry of the buckets
/// before it), each bucket in any order until something needs ranks inside it. Exploration scores thousands of
/// candidates and rules out nearly all of them from a bound on their rank (the bucket's first place) alone, so only
/// the few it cannot rule out need their exact rank, and most buckets are never sorted. <see cref="Best"/> holds the
/// first <see cref="LoadedModel.Candidates"/> in exact order for the list itself. Rented from the model and given
/// back by <see cref="Dispose"/>; one call at a time.
/// </summary>
internal sealed class RankedRow : IDisposable
{
    /// <summary>At most this many buckets: about 2,000 keep most buckets to a few entries at 5,000 candidates.</summary>
    private const int MaxBuckets = 2048;

    private readonly ConcurrentBag<RankedRow>? _owner;
    private readonly int[] _starts = new int[MaxBuckets + 1];
    private readonly int[] _ends = new int[MaxBuckets];
    private readonly bool[] _sorted = new bool[MaxBuckets];
    private readonly int[] _counts = new int[MaxBuckets];
    private ulong[] _keys = [];
    private ulong[] _spare = [];
    private float[] _ordered = [];
    private bool _byRank;

    public RankedRow(ConcurrentBag<RankedRow>? owner = null) => _owner = owner;

    /// <summary>Entries held (the requested count, or fewer for a short row).</summary>
    public int Count { get; private set; }

    /// <summary>Buckets, in order.</summary>
    public int Buckets { get; private set; }

    /// <summary>The first entries in exact order (model index, score): what the recommendation list is made from.</summary>
    public (int Index, float Score)[] Best { get; set; } = [];

    /// <summary>
    /// From score keys (<see cref="RowTopK.SortKey"/>, position order) of which the best <paramref name="count"/> are
    /// held: one pass puts them into buckets by the score bits where they differ (stable, so a bucket keeps position
    /// order), and only the bucket the count ends in is sorted, to cut it there.
    /// </summary>
    public void FromScoreKeys(ReadOnlySpan<ulong> keys, int count)
    {
        _byRank = false;
        Distribute(keys);
        Cut(count);
    }

    /// <summary>
    /// Sets <see cref="Best"/> to the first <paramref name="count"/> entries in order, sorting the buckets they lie in;
    /// each score is read from <paramref name="row"/> (position = model index − 1), so its bits are the row's own.
    /// </summary>
    public void TakeBest(int count, ReadOnlySpan<float> row)
    {
        var best = new (int Index, float Score)[Math.Min(count, Count)];
        int at = 0;
        for (int b = 0; b < Buckets && at < best.Length; b++)
        {
            SortBucket(b);
            foreach (ulong key in Bucket(b))
            {
                if (at == best.Length)
                {
                    break;
                }
                int index = IndexOf(key);
                best[at++] = (index, row[index - 1]);
            }
        }
        Best = best;
    }

    /// <summary>From a list already in order (best first), every entry held and every bucket sorted.</summary>
    public void FromOrdered(ReadOnlySpan<(int Index, float Score)> ordered)
    {
        _byRank = true;
        if (_ordered.Length < ordered.Length)
        {
            _ordered = new float[ordered.Length];
        }
        Span<ulong> keys = Ensure(ref _spare, ordered.Length).AsSpan(0, ordered.Length);
        for (int rank = 0; rank < ordered.Length; rank++)
        {
            keys[rank] = (ulong)rank << 32 | (uint)(ordered[rank].Index - 1);
            _ordered[rank] = ordered[rank].Score;
        }
        Distribute(keys); // into _keys: the ranks are the order, so every bucket is born sorted
        _sorted.AsSpan(0, Buckets).Fill(true);
    }

    /// <summary>Model index of a key's entry.</summary>
    public static int IndexOf(ulong key) => (int)(uint)key + 1;

    /// <summary>The score of a key's entry (a score of −0 comes back as +0).</summary>
    public float ScoreOf(ulong key) => _byRank ? _ordered[(int)(key >> 32)] : RowTopK.ScoreOf(key);

    /// <summary>Bucket <paramref name="bucket"/>'s entries (in any order unless <see cref="SortBucket"/> was called).</summary>
    public Span<ulong> Bucket(int bucket) => _keys.AsSpan(_starts[bucket], _ends[bucket] - _starts[bucket]);

    /// <summary>Keeps only the first <paramref name="length"/> entries of a bucket (after the caller compacted it in place).</summary>
    public void Shrink(int bucket, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _ends[bucket] - _starts[bucket]);
        _ends[bucket] = _starts[bucket] + length;
    }

    /// <summary>Working memory of at least <paramref name="length"/> keys, free while no other method of this instance runs.</summary>
    public Span<ulong> Scratch(int length) => Ensure(ref _spare, length).AsSpan(0, length);

    /// <summary>Sorts a bucket (best first); a no-op once sorted.</summary>
    public void SortBucket(int bucket)
    {
        if (!_sorted[bucket])
        {
            Bucket(bucket).Sort(); // keys are unique (the position is in them): the order is exact
            _sorted[bucket] = true;
        }
    }

    /// <summary>How many entries of <paramref name="bucket"/> come before <paramref name="key"/> (one of them).</summary>
    public int PlaceInBucket(int bucket, ulong key)
    {
        var entries = Bucket(bucket);
        if (_sorted[bucket])
        {
            return entries.BinarySearch(key);
        }
        if (entries.Length > 32)
        {
            SortBucket(bucket);
            return Bucket(bucket).BinarySearch(key);
        }
        int before = 0;
        foreach (ulong other in entries)
        {
            before += other < key ? 1 : 0;
        }
        return before;
    }

    /// <summary>Every held entry in order (model index, score): for a re-ranking that needs them all.</summary>
    public (int Index, float Score)[] ToOrdered()
    {
        var result = new (int Index, float Score)[Count];
        int at = 0;
        for (int b = 0; b < Buckets; b++)
        {
            SortBucket(b);
            foreach (ulong key in Bucket(b))
            {
                result[at++] = (IndexOf(key), ScoreOf(key));
            }
        }
        return result[..at];
    }

    /// <summary>Gives the memory back to the model it was rented from.</summary>
    public void Dispose()
    {
        Best = [];
        _owner?.Add(this);
    }

    /// <summary>
    /// Buckets by the order part of the keys (the high half: score or rank): the span from the smallest to the largest
    /// is cut into at most <see cref="MaxBuckets"/> equal stretches of a power-of-two width, counted, then scattered.
    /// </summary>
    private void Distribute(ReadOnlySpan<ulong> keys)
    {
        Count = keys.Length;
        if (keys.Length == 0)
        {
            Buckets = 0;
            return;
        }
        uint low = uint.MaxValue, high = 0;
        foreach (ulong key in keys)
        {
            uint o = (uint)(key >> 32);
            low = Math.Min(low, o);
            high = Math.Max(high, o);
        }
        int bits = 32 - System.Numerics.BitOperations.LeadingZeroCount(high - low);
        int shift = Math.Max(0, bits - 11);
        Buckets = (int)((high - low) >> shift) + 1;
        var counts = _counts.AsSpan(0, Buckets);
        counts.Clear();
        foreach (ulong key in keys)
        {
            counts[(int)(((uint)(key >> 32) - low) >> shift)]++;
        }
        int offset = 0;
        for (int b = 0; b < Buckets; b++)
        {
            _starts[b] = offset;
            offset += counts[b];
            _ends[b] = _starts[b];
        }
        _starts[Buckets] = offset;
        var destination = Ensure(ref _keys, keys.Length);
        foreach (ulong key in keys)
        {
            destination[_ends[(int)(((uint)(key >> 32) - low) >> shift)]++] = key;
        }
        _sorted.AsSpan(0, Buckets).Clear();
    }

    /// <summary>Keeps the best <paramref name="count"/> entries: buckets past the one it ends in go, that one is sorted and cut.</summary>
    public void Cut(int count)
    {
        int held = 0;
        for (int b = 0; b < Buckets; b++)
        {
            int size = _ends[b] - _starts[b];
            if (held + size >= count)
            {
                if (held + size > count)
                {
                    SortBucket(b);
                    _ends[b] = _starts[b] + (count - held);
                }
                Buckets = b + 1;
                Count = count;
                return;
            }
            held += size;
        }
        Count = held;
    }

    private static ulong[] Ensure(ref ulong[] array, int length)
    {
        if (array.Length < length)
        {
            array = new ulong[Math.Max(length, array.Length * 2)];
        }
        return array;
    }
}
