using System.Collections;

namespace OnDeviceReco;

/// <summary>
/// One response to a recommend call: the items, best first, and the request id that links what is shown
/// and clicked back to this answer (record it with the client's impression and click methods).
/// </summary>
public sealed class RecommendationList : IReadOnlyList<Recommendation>
{
    private readonly IReadOnlyList<Recommendation> _items;

    internal RecommendationList(string requestId, IReadOnlyList<Recommendation> items, long? modelVersion)
    {
        RequestId = requestId;
        _items = items;
        ModelVersion = modelVersion;
    }

    /// <summary>Unique id of this response.</summary>
    public string RequestId { get; }

    /// <summary>Version of the model that served it, or null when no model was loaded.</summary>
    public long? ModelVersion { get; }

    /// <inheritdoc />
    public Recommendation this[int index] => _items[index];

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public IEnumerator<Recommendation> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
