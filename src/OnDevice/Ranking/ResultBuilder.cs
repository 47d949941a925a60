namespace OnDeviceReco.Ranking;

/// <summary>Accumulates one response: ranks from 1, no item twice, stops at the requested count.</summary>
internal sealed class ResultBuilder(int count)
{
    private readonly List<Recommendation> _items = new(count);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public bool IsFull => _items.Count >= count;
    public int Remaining => count - _items.Count;
    public IReadOnlySet<string> Taken => _taken;
    public List<Recommendation> Items => _items;

    public bool Contains(string itemId) => _taken.Contains(itemId);

    public bool Add(string itemId, double score, RecommendationSource source, string reason, bool exploration = false)
    {
        if (IsFull || !_taken.Add(itemId))
        {
            return false;
        }
        _items.Add(new Recommendation(itemId, score, _items.Count + 1, source, reason, exploration));
        return true;
    }

    /// <summary>Appends another source's results below ours, re-ranked, skipping what we already have.</summary>
    public void Fill(IEnumerable<Recommendation> more)
    {
        foreach (var item in more)
        {
            if (IsFull)
            {
                return;
            }
            Add(item.ItemId, item.Score, item.Source, item.Reason, item.IsExploration);
        }
    }
}
