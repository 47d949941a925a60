using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// How many times each item was shown to one user (impressions), for exploration's evidence. Asked once per
/// candidate, thousands of times per call: for the model's items by model index, which touches no id string,
/// when mapping the user's shown items costs less than the string lookups it saves.
/// </summary>
internal sealed class ShownCounts
{
    private readonly IReadOnlyDictionary<string, int> _byId;
    private readonly Dictionary<int, int>? _byIndex;
    private readonly LoadedModel? _model;

    /// <param name="byId">Impressions per item id (the store's answer).</param>
    /// <param name="model">The serving model, or null.</param>
    /// <param name="lookups">About how many items will be asked about: more shown items than this are not mapped.</param>
    public ShownCounts(IReadOnlyDictionary<string, int> byId, LoadedModel? model, int lookups)
    {
        _byId = byId;
        _model = model;
        Total = byId.Values.Sum(c => (long)c);
        if (model is not null && byId.Count <= lookups)
        {
            _byIndex = new Dictionary<int, int>(byId.Count);
            foreach (var (id, count) in byId)
            {
                if (model.TryGetIndex(id, out int index))
                {
                    _byIndex[index] = count;
                    _maybeShown[(index >> 6) & (FilterWords - 1)] |= 1UL << index;
                }
            }
        }
    }

    private const int FilterWords = 64;

    /// <summary>
    /// One bit per model index modulo 4,096, set for the shown items': most candidates were never shown, and a clear bit
    /// says so without a dictionary lookup. Its size does not grow with the catalogue.
    /// </summary>
    private readonly ulong[] _maybeShown = new ulong[FilterWords];

    /// <summary>Impressions of all items together.</summary>
    public long Total { get; }

    /// <summary>
    /// Impressions of item <paramref name="id"/>, whose model index is <paramref name="index"/> (0 when the model does not
    /// know it); a model item's <paramref name="id"/> may be null, then it is read from the model only if needed.
    /// </summary>
    public int Of(string? id, int index)
    {
        if (_byIndex is not null && index > 0)
        {
            return (_maybeShown[(index >> 6) & (FilterWords - 1)] & (1UL << index)) == 0 ? 0 : _byIndex.GetValueOrDefault(index);
        }
        return _byId.GetValueOrDefault(id ?? _model!.ItemId(index));
    }
}
