using System.Collections.Concurrent;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The recent sequence and interacted items of recently served users. An entry stays valid while the
/// user's newest sequence id (one index seek) and the store's generation are unchanged, so a new event or an
/// erase is seen at once, and a repeat request skips reading the history again.
/// </summary>
internal sealed class UserHistoryCache(BehaviorStore store, int capacity = 1024)
{
    private static readonly IReadOnlySet<EventType> Interactions = new HashSet<EventType>(
        Enum.GetValues<EventType>().Where(EventTypes.IsInteraction));

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public sealed record Entry(long Generation, long LatestSequence, int Length, IReadOnlyList<RecentItem> Recent, IReadOnlySet<string> Interacted);

    public Entry Get(string userId, int length)
    {
        long generation = store.Generation;
        long latest = store.GetLatestSequence(userId);
        if (_entries.TryGetValue(userId, out var cached)
            && cached.Generation == generation && cached.LatestSequence == latest && cached.Length >= length)
        {
            return cached;
        }
        var entry = new Entry(generation, latest, length, store.GetRecentSequence(userId, length, Interactions), store.GetInteractedItems(userId));
        if (_entries.Count >= capacity)
        {
            _entries.Clear(); // crude but bounded; the working set of a device is one or a few users
        }
        _entries[userId] = entry;
        return entry;
    }
}
