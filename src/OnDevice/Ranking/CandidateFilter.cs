namespace OnDeviceReco.Ranking;

/// <summary>Applies <see cref="RecommendOptions"/> to candidate items for one request.</summary>
internal sealed class CandidateFilter
{
    private readonly RecommendOptions _options;
    private readonly IReadOnlySet<string> _seen;
    private readonly Func<string, ItemMetadata?> _lookupItem;

    public CandidateFilter(RecommendOptions options, IReadOnlySet<string> seen, Func<string, ItemMetadata?> lookupItem)
    {
        _options = options;
        _seen = seen;
        _lookupItem = lookupItem;
    }

    public bool Allows(string itemId)
    {
        if (_options.ExcludeSeen && _seen.Contains(itemId))
        {
            return false;
        }
        if (_options.Blocked?.Contains(itemId) == true)
        {
            return false;
        }
        if (_options.Candidates is { } candidates && !candidates.Contains(itemId))
        {
            return false;
        }
        if (_options.Categories is { } allowed)
        {
            var item = _lookupItem(itemId);
            return item is not null && item.Categories.Any(allowed.Contains);
        }
        return true;
    }
}
