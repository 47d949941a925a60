using System.Collections.Concurrent;

namespace OnDeviceReco.Ranking;

/// <summary>
/// Each recently served user's impressions per item (<see cref="BehaviorStore.GetShownCounts"/>), reused without a
/// SQLite query while no events were committed since it was read: impressions are events, so an unchanged commit
/// count and store generation mean an unchanged answer. Exploration asks on every call.
/// </summary>
internal sealed class ShownCountsCache(BehaviorStore store, int capacity = 1024)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(long Generation, long Commits, IReadOnlyDictionary<string, int> Counts);

    public IReadOnlyDictionary<string, int> Get(string userId)
    {
        // Read the counters before the data: a commit racing with the read only makes the entry look older.
        long generation = store.Generation;
        long commits = store.EventCommits;
        if (_entries.TryGetValue(userId, out var cached) && cached.Generation == generation && cached.Commits == commits)
        {
            return cached.Counts;
        }
        var counts = store.GetShownCounts(userId);
        if (_entries.Count >= capacity)
        {
            _entries.Clear(); // crude but bounded; the working set of a device is one or a few users
        }
        _entries[userId] = new Entry(generation, commits, counts);
        return counts;
    }
}
