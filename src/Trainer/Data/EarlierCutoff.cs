namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// The same data as it stood some interactions earlier: each user's newest interactions removed. A recipe chosen by
/// one split's numbers need not carry over to the next interactions users make (on movielens-small SASRec scored
/// 0.0785 on its own leave-one-out split and 0.0625 on each user's newest two ratings, held out elsewhere); a gain
/// that also holds on the split one or two interactions earlier is one that does not depend on that split's targets.
/// </summary>
public static class EarlierCutoff
{
    /// <summary>Each user's <paramref name="newest"/> newest interactions removed (a user with no more keeps none).</summary>
    public static InteractionData WithoutNewest(InteractionData data, int newest)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(newest);
        if (newest == 0)
        {
            return data;
        }
        int Kept(int u) => Math.Max(0, data.Sequences[u].Length - newest);
        var users = Enumerable.Range(0, data.Sequences.Count);
        return new InteractionData(
            FormattableString.Invariant($"{data.Name} (each user's newest {newest} removed)"),
            data.UserIds,
            users.Select(u => data.Sequences[u][..Kept(u)]).ToList(),
            data.Items,
            // An impression is a negative for the positions from its From on; those past the kept prefix are gone.
            data.Shown?.Select((shown, u) => shown.Where(s => s.From < Kept(u)).ToArray()).ToList(),
            data.SameTime?.Select((ties, u) => ties[..Math.Min(ties.Length, Kept(u))]).ToList(),
            data.Times?.Select((times, u) => times[..Math.Min(times.Length, Kept(u))]).ToList());
    }
}
