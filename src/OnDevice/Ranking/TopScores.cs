namespace OnDeviceReco.Ranking;

/// <summary>
/// The best few of a long stream of scored ids, best first, equal scores by ordinal id: exploration scores the
/// whole plausible pool (thousands of items) to fill a couple of slots, so it keeps only those instead of sorting.
/// </summary>
internal sealed class TopScores(int capacity)
{
    private readonly List<(string Id, double Score)> _items = new(capacity + 1);

    public IReadOnlyList<(string Id, double Score)> Items => _items;

    /// <summary>
    /// The score an item must beat (or equal, with an id ordinally before) to be kept now: −∞ while there is room,
    /// +∞ when nothing is kept at all.
    /// </summary>
    public double Bar => capacity == 0 ? double.PositiveInfinity : _items.Count < capacity ? double.NegativeInfinity : _items[^1].Score;

    /// <summary>True when <see cref="Offer"/> would keep this item now: lets a caller skip costly checks for the many that would not.</summary>
    public bool Admits(string id, double score) =>
        capacity > 0 && (_items.Count < capacity || Before((id, score), _items[^1]));

    public void Offer(string id, double score)
    {
        if (!Admits(id, score))
        {
            return;
        }
        int at = _items.Count;
        while (at > 0 && Before((id, score), _items[at - 1]))
        {
            at--;
        }
        _items.Insert(at, (id, score));
        if (_items.Count > capacity)
        {
            _items.RemoveAt(capacity);
        }
    }

    private static bool Before((string Id, double Score) a, (string Id, double Score) b) =>
        a.Score > b.Score || (a.Score == b.Score && string.CompareOrdinal(a.Id, b.Id) < 0);
}
