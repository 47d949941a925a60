using System.Globalization;

namespace ReplayMovieLens;

/// <summary>
/// Users held back as newcomers: chosen by a fixed seed (the same users in every run, whatever --seed says; another
/// --newcomer-seed holds back another set, e.g. to judge a change to onboarding on users the measurement does not use), never
/// tracked in phases A–C, so no model ever saw them; after v2 is served each one is onboarded
/// (<see cref="SimulatedDevice.OnboardAsync"/>).
/// </summary>
internal static class Newcomers
{
    /// <summary>The hold-back seed of the loop's measurement.</summary>
    public const int MeasuredSelectionSeed = 17;

    /// <summary>Onboarding questions asked, the most the issue measures after.</summary>
    public const int Questions = 5;

    /// <summary>Splits <paramref name="users"/> into those living phases A–C and <paramref name="share"/> of them held back; both keep their order.</summary>
    public static (List<UserHistory> Devices, List<UserHistory> Newcomers) HoldBack(List<UserHistory> users, double share, int selectionSeed = MeasuredSelectionSeed)
    {
        int count = (int)Math.Round(Math.Clamp(share, 0, 1) * users.Count);
        var order = Enumerable.Range(0, users.Count).ToArray();
        new Random(selectionSeed).Shuffle(order);
        var held = order.Take(count).ToHashSet();
        return (users.Where((_, i) => !held.Contains(i)).ToList(), users.Where((_, i) => held.Contains(i)).ToList());
    }

    /// <summary>
    /// Each newcomer's app starts with its own store under <paramref name="root"/>, syncs (pulling the model
    /// <paramref name="server"/> serves) and is onboarded (<see cref="SimulatedDevice.OnboardAsync"/>).
    /// </summary>
    public static async Task<Summary> OnboardAsync(IReadOnlyList<UserHistory> newcomers, string root, LoopServer server, TimeSpan shift, int parallel)
    {
        var devices = newcomers.Select(u => new SimulatedDevice(u, Path.Combine(root, u.UserId), server.Address, server.PublicKeyPem, shift)).ToList();
        var onboarded = new OnboardingStep[devices.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, devices.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (i, _) => onboarded[i] = await devices[i].OnboardAsync(Questions));
        return Summarise(onboarded);
    }

    /// <summary>HR@10 of the held-out item over the newcomers: popularity only, after 3 answers, after 5.</summary>
    /// <param name="Likers">Newcomers who liked at least one proposed item: only their answers can change the model's list.</param>
    /// <param name="LikersPopularityHits">Their hits with popularity only.</param>
    /// <param name="LikersAfter5Hits">Their hits after all answers.</param>
    public sealed record Summary(int Users, double PopularityHr, double After3Hr, double After5Hr, double LikedPerUser,
        int Likers = 0, int LikersPopularityHits = 0, int LikersAfter5Hits = 0)
    {
        public string Line => string.Create(CultureInfo.InvariantCulture,
            $"  HR@10 of each newcomer's held-out rating: popularity only {PopularityHr:0.0000}, after 3 answers {After3Hr:0.0000}, after 5 {After5Hr:0.0000} ({LikedPerUser:0.00} of 5 liked on average;")
            + $" the {Likers} who liked one or more: {LikersPopularityHits} hits with popularity, {LikersAfter5Hits} after 5 answers)";

        public string Json => Users == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $",\"newcomers\":{Users},\"popularity_cold_hr@10\":{PopularityHr:0.0000},\"onboarding_hr@10_after3\":{After3Hr:0.0000},\"onboarding_hr@10\":{After5Hr:0.0000}");
    }

    public static Summary Summarise(IReadOnlyList<OnboardingStep> steps) => steps.Count == 0 ? new Summary(0, 0, 0, 0, 0) : new Summary(
        steps.Count,
        steps.Average(s => s.PopularityHit ? 1.0 : 0.0),
        steps.Average(s => s.HitAfter3 ? 1.0 : 0.0),
        steps.Average(s => s.HitAfter5 ? 1.0 : 0.0),
        steps.Average(s => s.Liked),
        steps.Count(s => s.Liked > 0),
        steps.Count(s => s.Liked > 0 && s.PopularityHit),
        steps.Count(s => s.Liked > 0 && s.HitAfter5));
}
