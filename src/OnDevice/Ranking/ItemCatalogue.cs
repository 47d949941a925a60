using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// What the device knows about items besides the model: the store's item metadata, re-read at most once a
/// minute because content scoring and exploration scan it on every call, and an item's categories from the
/// model's vocabulary or else the store.
/// </summary>
internal sealed class ItemCatalogue(BehaviorStore store)
{
    private const int Limit = 50_000;
    private const long RefreshMs = 60_000;
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(long TakenAtMs, IReadOnlyList<ItemMetadata> Items);

    /// <summary>The store's item metadata (up to 50,000 items, by id), at most a minute old.</summary>
    public IReadOnlyList<ItemMetadata> Items()
    {
        long now = Environment.TickCount64;
        var snapshot = _snapshot;
        if (snapshot is null || now - snapshot.TakenAtMs > RefreshMs)
        {
            snapshot = new Snapshot(now, store.GetItems(Limit));
            _snapshot = snapshot;
        }
        return snapshot.Items;
    }

    /// <summary>An item's categories: from <paramref name="model"/> when it knows the item, else from the store; null when unknown.</summary>
    public IReadOnlyList<string>? CategoriesOf(LoadedModel? model, string id) =>
        model is not null && model.TryGetIndex(id, out int index) ? model.Categories(index) : store.GetItem(id)?.Categories;
}
