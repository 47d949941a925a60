using OnDeviceReco.Storage;

namespace OnDeviceReco.Queries;

/// <summary>Builds a <see cref="UserProfile"/> from the user's most recent events and their items' categories.</summary>
internal static class ProfileQuery
{
    private readonly record struct ProfileEvent(long TimestampMs, EventType Type, double Value, string? Categories);

    public static UserProfile Run(SqliteDatabase database, string userId, StoreOptions options, DateTimeOffset now)
    {
        var events = ReadRecent(database, userId, options.ProfileWindow);
        var counts = new Dictionary<EventType, int>();
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        double halfLifeMs = options.AffinityHalfLife.TotalMilliseconds;
        long nowMs = now.ToUnixTimeMilliseconds();
        foreach (var e in events)
        {
            counts[e.Type] = counts.GetValueOrDefault(e.Type) + 1;
            double ageMs = Math.Max(0, nowMs - e.TimestampMs);
            double weight = EventWeights.Of(e.Type, e.Value) * Math.Pow(0.5, ageMs / halfLifeMs);
            foreach (var category in ItemMetadata.SplitCategories(e.Categories))
            {
                weights[category] = weights.GetValueOrDefault(category) + weight;
            }
        }

        var (sessions, sessionStart, sessionEvents) = Sessions(events, (long)options.SessionGap.TotalMilliseconds);
        return new UserProfile(
            userId,
            events.Count,
            counts,
            Affinities(weights),
            events.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(events[0].TimestampMs),
            events.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(events[^1].TimestampMs),
            sessions,
            sessionStart is { } start ? DateTimeOffset.FromUnixTimeMilliseconds(start) : null,
            sessionEvents);
    }

    /// <summary>The newest <paramref name="window"/> events, returned oldest first by timestamp.</summary>
    private static List<ProfileEvent> ReadRecent(SqliteDatabase database, string userId, int window)
    {
        var events = database.Query(
            """
            SELECT e.ts_ms, e.type, e.value, i.categories
            FROM events e LEFT JOIN items i ON i.item_id = e.item_id
            WHERE e.user_id = ?1
            ORDER BY e.seq DESC
            LIMIT ?2
            """,
            static row => new ProfileEvent(row.ColumnInt64(0), (EventType)row.ColumnInt64(1), row.ColumnDouble(2), row.ColumnText(3)),
            userId, window);
        // Apps may track events late with their original timestamps; sessions need time order.
        events.Sort((a, b) => a.TimestampMs.CompareTo(b.TimestampMs));
        return events;
    }

    private static (int Count, long? CurrentStart, int CurrentEvents) Sessions(List<ProfileEvent> events, long gapMs)
    {
        if (events.Count == 0)
        {
            return (0, null, 0);
        }
        int count = 1;
        long start = events[0].TimestampMs;
        int inSession = 1;
        for (int i = 1; i < events.Count; i++)
        {
            if (events[i].TimestampMs - events[i - 1].TimestampMs > gapMs)
            {
                count++;
                start = events[i].TimestampMs;
                inSession = 0;
            }
            inSession++;
        }
        return (count, start, inSession);
    }

    /// <summary>Positive weights normalised to shares; categories the user turned against are left out.</summary>
    private static IReadOnlyList<CategoryAffinity> Affinities(Dictionary<string, double> weights)
    {
        double total = weights.Values.Where(w => w > 0).Sum();
        if (total <= 0)
        {
            return [];
        }
        return weights
            .Where(pair => pair.Value > 0)
            .Select(pair => new CategoryAffinity(pair.Key, pair.Value / total))
            .OrderByDescending(a => a.Score)
            .ThenBy(a => a.Category, StringComparer.Ordinal)
            .ToList();
    }
}
