namespace ReplayMovieLens;

/// <summary>
/// One MovieLens user as a device will live it: an early part (phase A), a later part (phase B), and the newest
/// rating, which no device ever tracks: it is the target both models are judged on.
/// </summary>
internal sealed record UserHistory(string UserId, IReadOnlyList<Rating> Early, IReadOnlyList<Rating> Later, Rating Target)
{
    public static List<UserHistory> Split(IEnumerable<Rating> ratings) =>
        ratings.GroupBy(r => r.UserId)
            .Select(g => g.OrderBy(r => r.Time).ToList())
            .Where(list => list.Count >= 4)
            .Select(list =>
            {
                int early = (list.Count - 1) / 2;
                return new UserHistory(list[0].UserId, list[..early], list[early..^1], list[^1]);
            })
            .ToList();
}
