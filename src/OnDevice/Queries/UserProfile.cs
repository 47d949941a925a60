namespace OnDeviceReco;

/// <summary>A user's preference for one category, from decayed event weights.</summary>
/// <param name="Category">The category or genre.</param>
/// <param name="Score">Share of the user's decayed positive weight, 0–1; all scores of a profile sum to 1.</param>
public sealed record CategoryAffinity(string Category, double Score);

/// <summary>What the device knows about one user, computed from their most recent events.</summary>
/// <param name="UserId">The profile.</param>
/// <param name="TotalEvents">Events considered (bounded by the store's profile window).</param>
/// <param name="CountsByType">Events per type.</param>
/// <param name="CategoryAffinities">Categories by decayed preference, strongest first.</param>
/// <param name="FirstSeen">Oldest event considered, or null for an unknown user.</param>
/// <param name="LastSeen">Newest event, or null for an unknown user.</param>
/// <param name="SessionCount">Sessions, split where the user was inactive longer than the session gap.</param>
/// <param name="CurrentSessionStart">Start of the newest session, or null.</param>
/// <param name="CurrentSessionEvents">Events in the newest session.</param>
public sealed record UserProfile(
    string UserId,
    int TotalEvents,
    IReadOnlyDictionary<EventType, int> CountsByType,
    IReadOnlyList<CategoryAffinity> CategoryAffinities,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    int SessionCount,
    DateTimeOffset? CurrentSessionStart,
    int CurrentSessionEvents)
{
    /// <summary>True when the store has no events for this user.</summary>
    public bool IsEmpty => TotalEvents == 0;

    /// <summary>Time since the newest event, measured at <paramref name="now"/>; null for an unknown user.</summary>
    public TimeSpan? Recency(DateTimeOffset now) => LastSeen is { } last ? now - last : null;
}
