using OnDeviceReco.Trainer.Models;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// Which items a softmax loss may count as negatives at each training position (<see cref="NegativePool"/>). Items are
/// ranked by their first interaction in the training data (items that never occur rank last of all); a position
/// admits the items whose rank is at most its threshold — the number of items out by the target's time, or every
/// trained item when there are no times.
/// </summary>
internal sealed class ItemAvailability
{
    private readonly long[] _firstTimes;

    private ItemAvailability(long[] rank, long[] firstTimes, bool timed)
    {
        Rank = rank;
        _firstTimes = firstTimes;
        Timed = timed;
    }

    /// <summary>Per item, its place in order of first interaction (1-based); <see cref="long.MaxValue"/> for items never seen.</summary>
    public long[] Rank { get; }

    /// <summary>Whether thresholds follow the positions' times (<see cref="NegativePool.Released"/> with times).</summary>
    public bool Timed { get; }

    /// <summary>Null for <see cref="NegativePool.Catalogue"/>: every item is a negative everywhere.</summary>
    public static ItemAvailability? For(NegativePool pool, IReadOnlyList<int[]> sequences, IReadOnlyList<long[]>? times, int tableSize)
    {
        if (pool == NegativePool.Catalogue)
        {
            return null;
        }
        bool timed = pool == NegativePool.Released && times is not null;
        var first = new long[tableSize];
        Array.Fill(first, long.MaxValue);
        for (int u = 0; u < sequences.Count; u++)
        {
            var sequence = sequences[u];
            for (int i = 0; i < sequence.Length; i++)
            {
                // Without times every trained item is out from the start.
                long time = timed ? times![u][i] : long.MinValue;
                first[sequence[i]] = Math.Min(first[sequence[i]], time);
            }
        }
        first[0] = long.MaxValue; // padding is never a candidate (the losses mask it themselves)
        var order = Enumerable.Range(0, tableSize).Where(i => first[i] != long.MaxValue).OrderBy(i => first[i]).ToArray();
        var rank = new long[tableSize];
        Array.Fill(rank, long.MaxValue);
        for (int r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r + 1;
        }
        return new ItemAvailability(rank, order.Select(i => first[i]).ToArray(), timed);
    }

    /// <summary>How many items are out at <paramref name="time"/>: the rank threshold of a position whose target came then.</summary>
    public long Threshold(long time)
    {
        if (!Timed)
        {
            return _firstTimes.Length;
        }
        int index = Array.BinarySearch(_firstTimes, time);
        if (index < 0)
        {
            return ~index;
        }
        while (index + 1 < _firstTimes.Length && _firstTimes[index + 1] == time)
        {
            index++;
        }
        return index + 1;
    }

    /// <summary>True where an item is not yet out at a position: [P, N] from the positions' thresholds [P] and the items' ranks [N].</summary>
    public static Tensor Unavailable(Tensor ranks, Tensor thresholds) => ranks.unsqueeze(0).gt(thresholds.unsqueeze(1));
}
