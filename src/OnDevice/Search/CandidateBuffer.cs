namespace OnDeviceReco.Search;

/// <summary>
/// Keeps the best <c>capacity</c> (row, score) pairs of a scan. Rows that beat <see cref="Threshold"/> are appended
/// to a buffer twice that size; when it fills, a quickselect keeps the best half and raises the threshold to the
/// worst score kept. Each offer is an append (a heap would sift ~log₂ capacity levels per offer, and at 10k items
/// with a shortlist of 250 that sifting was most of the scan's time). Reused between calls: <see cref="Reset"/>.
/// </summary>
internal sealed class CandidateBuffer(int capacity)
{
    private readonly int[] _rows = new int[2 * capacity];
    private readonly float[] _scores = new float[2 * capacity];
    private int _count;

    public int Capacity => capacity;

    /// <summary>The score a row must beat to get in: −∞ until the buffer first fills.</summary>
    public float Threshold { get; private set; } = float.NegativeInfinity;

    public void Reset()
    {
        _count = 0;
        Threshold = float.NegativeInfinity;
    }

    /// <summary>Adds a row whose score beats <see cref="Threshold"/> (the caller checks).</summary>
    public void Offer(int row, float score)
    {
        _rows[_count] = row;
        _scores[_count] = score;
        if (++_count == _rows.Length)
        {
            KeepBest();
        }
    }

    /// <summary>The best <c>capacity</c> rows offered (all of them when fewer), in no particular order.</summary>
    public ReadOnlySpan<int> Finish()
    {
        if (_count > capacity)
        {
            KeepBest();
        }
        return _rows.AsSpan(0, _count);
    }

    /// <summary>Moves the best <c>capacity</c> entries to the front (quickselect) and drops the rest.</summary>
    private void KeepBest()
    {
        int left = 0, right = _count - 1, k = capacity - 1;
        while (left < right)
        {
            // Median of three as the pivot keeps sorted runs (clustered tables scan in cluster order) from going quadratic.
            int middle = left + (right - left) / 2;
            float pivot = Median(_scores[left], _scores[middle], _scores[right]);
            int i = left, j = right;
            while (i <= j)
            {
                while (_scores[i] > pivot) i++;
                while (_scores[j] < pivot) j--;
                if (i <= j)
                {
                    (_scores[i], _scores[j]) = (_scores[j], _scores[i]);
                    (_rows[i], _rows[j]) = (_rows[j], _rows[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else break;
        }
        _count = capacity;
        float worst = float.PositiveInfinity;
        for (int i = 0; i < capacity; i++)
        {
            worst = Math.Min(worst, _scores[i]);
        }
        Threshold = worst;
    }

    private static float Median(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
