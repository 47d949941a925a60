using OnDeviceReco.Inference;

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

    /// <summary>
    /// The model indices this filter refuses, when it refuses nothing but seen items and there are at most
    /// <paramref name="limit"/> of them; null otherwise (then ask <see cref="Allows"/>). For a pass over thousands of
    /// model candidates: an index check touches no id string, and mapping a few seen items costs less.
    /// </summary>
    public HashSet<int>? RefusedIndices(LoadedModel model, int limit)
    {
        if (_options.Blocked is not null || _options.Candidates is not null || _options.Categories is not null)
        {
            return null;
        }
        if (!_options.ExcludeSeen)
        {
            return [];
        }
        if (_seen.Count > limit)
        {
            return null;
        }
        var refused = new HashSet<int>(_seen.Count);
        foreach (var id in _seen)
        {
            if (model.TryGetIndex(id, out int index))
            {
                refused.Add(index);
            }
        }
        return refused;
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
