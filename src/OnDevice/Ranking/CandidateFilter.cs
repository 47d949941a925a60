namespace OnDeviceReco.Ranking;

/// <summary>Applies <see cref="RecommendOptions"/> to candidate items for one request.</summary>
internal sealed class CandidateFilter
{
    private readonly RecommendOptions _options;
    private readonly IReadOnlySet<string> _seen;
    private readonly Func<string, IReadOnlyList<string>?> _categoriesOf;

    /// <param name="options">The request's filters.</param>
    /// <param name="seen">Items the user interacted with.</param>
    /// <param name="categoriesOf">An item's categories (from the model's vocabulary or the store), or null when unknown.</param>
    public CandidateFilter(RecommendOptions options, IReadOnlySet<string> seen, Func<string, IReadOnlyList<string>?> categoriesOf)
    {
        _options = options;
        _seen = seen;
        _categoriesOf = categoriesOf;
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
            var categories = _categoriesOf(itemId);
            return categories is not null && categories.Any(allowed.Contains);
        }
        return true;
    }
}
