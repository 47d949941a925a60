using System.Collections.Concurrent;
using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The recent sequence and interacted items of recently served users. An entry is reused without touching
/// SQLite while no events were committed since it was read; otherwise while the user's newest sequence id
/// (one index seek) is unchanged. The store generation (erase) invalidates everything at once.
/// </summary>
internal sealed class UserHistoryCache(BehaviorStore store, int capacity = 1024)
{
    private static readonly IReadOnlySet<EventType> Interactions = new HashSet<EventType>(
        Enum.GetValues<EventType>().Where(EventTypes.IsInteraction));

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public sealed record Entry(long Generation, long Commits, long LatestSequence, int Length, IReadOnlyList<RecentItem> Recent, IReadOnlySet<string> Interacted)
    {
        private KnownHistory? _known; // copied by `with`: the same Recent

        /// <summary>The items of <see cref="Recent"/> that <paramref name="model"/> knows, mapped on the first call for that model.</summary>
        public KnownHistory Known(LoadedModel model)
        {
            var known = Volatile.Read(ref _known);
            if (known is null || known.Model != model.Serial)
            {
                known = KnownHistory.Map(model, Recent);
                Volatile.Write(ref _known, known); // a race maps the same history twice, never a wrong one
            }
            return known;
        }
    }

    public Entry Get(string userId, int length)
    {
        // Read the counters before the data: a commit racing with the reads only makes the entry look older.
        long generation = store.Generation;
        long commits = store.EventCommits;
        bool known = _entries.TryGetValue(userId, out var cached) && cached.Generation == generation && cached.Length >= length;
        if (known && cached!.Commits == commits)
        {
            return cached;
        }
        long latest = store.GetLatestSequence(userId);
        if (known && cached!.LatestSequence == latest)
        {
            return _entries[userId] = cached with { Commits = commits };
        }
        var entry = new Entry(generation, commits, latest, length, store.GetRecentSequence(userId, length, Interactions), store.GetInteractedItems(userId));
        if (_entries.Count >= capacity)
        {
            _entries.Clear(); // crude but bounded; the working set of a device is one or a few users
        }
        _entries[userId] = entry;
        return entry;
    }
}
