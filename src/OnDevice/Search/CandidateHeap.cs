namespace OnDeviceReco.Search;

/// <summary>
/// The best <c>capacity</c> (row, score) pairs seen so far, as a min-heap: the scan compares each block with
/// <see cref="Threshold"/> and touches the heap only for the few rows that beat it.
/// </summary>
internal sealed class CandidateHeap(int capacity)
{
    private readonly int[] _rows = new int[capacity];
    private readonly float[] _scores = new float[capacity];

    public int Count { get; private set; }

    /// <summary>The score a row must beat to get in: −∞ until the heap is full.</summary>
    public float Threshold => Count < _rows.Length ? float.NegativeInfinity : _scores[0];

    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    public void Offer(int row, float score)
    {
        if (Count < _rows.Length)
        {
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (_scores[parent] <= score)
                {
                    break;
                }
                _rows[i] = _rows[parent];
                _scores[i] = _scores[parent];
                i = parent;
            }
            _rows[i] = row;
            _scores[i] = score;
            return;
        }
        if (score <= _scores[0])
        {
            return;
        }
        // Replace the root and sift down.
        int at = 0;
        while (true)
        {
            int child = 2 * at + 1;
            if (child >= Count)
            {
                break;
            }
            if (child + 1 < Count && _scores[child + 1] < _scores[child])
            {
                child++;
            }
            if (_scores[child] >= score)
            {
                break;
            }
            _rows[at] = _rows[child];
            _scores[at] = _scores[child];
            at = child;
        }
        _rows[at] = row;
        _scores[at] = score;
    }
}
