using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The items of a user's recent sequence that a model knows, oldest first: their model indices (what the model runs on)
/// and their events (what explanations name). Mapped once per cached history and model (<see cref="UserHistoryCache.Entry.Known"/>)
/// instead of looking fifty ids up on every call. Keyed by <see cref="LoadedModel.Serial"/>, so it keeps no model alive.
/// </summary>
internal sealed class KnownHistory
{
    private KnownHistory(long model, int[] indices, RecentItem[] events)
    {
        Model = model;
        Indices = indices;
        Events = events;
    }

    /// <summary>The <see cref="LoadedModel.Serial"/> of the model these indices belong to.</summary>
    public long Model { get; }

    /// <summary>Model indices of the known items, oldest first.</summary>
    public int[] Indices { get; }

    /// <summary>The events of those items, in the same order.</summary>
    public RecentItem[] Events { get; }

    /// <summary>The items of <paramref name="recent"/> that <paramref name="model"/> knows (items it does not know are skipped).</summary>
    public static KnownHistory Map(LoadedModel model, IReadOnlyList<RecentItem> recent)
    {
        var indices = new List<int>(recent.Count);
        var events = new List<RecentItem>(recent.Count);
        foreach (var item in recent)
        {
            if (model.TryGetIndex(item.ItemId, out int index))
            {
                indices.Add(index);
                events.Add(item);
            }
        }
        return new KnownHistory(model.Serial, [.. indices], [.. events]);
    }
}
