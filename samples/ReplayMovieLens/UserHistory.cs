namespace ReplayMovieLens;

/// <summary>
/// One MovieLens user as a device will live it: an early part (phase A), a later part (phase B), and the newest
/// ratings, which no device ever tracks: the <see cref="Future"/>. Its first rating, the next one after phase B, is the
/// <see cref="Target"/> both models are judged on offline; in the experiment (phase C) the user takes a shown item
/// when it is anywhere in the future, as a player takes a recommendation they would have found on their own soon.
/// </summary>
internal sealed record UserHistory(string UserId, IReadOnlyList<Rating> Early, IReadOnlyList<Rating> Later, IReadOnlyList<Rating> Future)
{
    /// <summary>At most this many of a user's newest ratings are held out as the future.</summary>
    public const int MaxFuture = 20;

    /// <summary>
    /// Held out: a fifth of a user's ratings, at least one and at most <see cref="MaxFuture"/>. A tenth (at most 10) left
    /// the experiment too few takes to decide on 470 devices: a device took 0.3–0.5 of the 10 movies shown at the first
    /// visit, and the take-rate difference stayed within the always-valid interval (2.99 standard errors out at its best
    /// look against 3.04 needed) while v2 was clearly better offline on the same devices (docs/experiments.md).
    /// </summary>
    public static int FutureLength(int ratings) => Math.Clamp(ratings / 5, 1, MaxFuture);

    /// <summary>The next rating after phase B: what offline HR@10 and NDCG@10 are judged on.</summary>
    public Rating Target => Future[0];

    public static List<UserHistory> Split(IEnumerable<Rating> ratings) =>
        ratings.GroupBy(r => r.UserId)
            .Select(g => g.OrderBy(r => r.Time).ToList())
            .Where(list => list.Count >= 4)
            .Select(list =>
            {
                int future = FutureLength(list.Count);
                int early = (list.Count - future) / 2;
                return new UserHistory(list[0].UserId, list[..early], list[early..^future], list[^future..]);
            })
            .ToList();
}
