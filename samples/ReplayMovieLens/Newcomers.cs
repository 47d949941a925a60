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

    /// <summary>HR@10 of the held-out item over the newcomers: popularity only, after 3 answers, after 5.</summary>
    public sealed record Summary(int Users, double PopularityHr, double After3Hr, double After5Hr, double LikedPerUser)
    {
        public string Json => Users == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $",\"newcomers\":{Users},\"popularity_cold_hr@10\":{PopularityHr:0.0000},\"onboarding_hr@10_after3\":{After3Hr:0.0000},\"onboarding_hr@10\":{After5Hr:0.0000}");
    }

    public static Summary Summarise(IReadOnlyList<OnboardingStep> steps) => steps.Count == 0 ? new Summary(0, 0, 0, 0, 0) : new Summary(
        steps.Count,
        steps.Average(s => s.PopularityHit ? 1.0 : 0.0),
        steps.Average(s => s.HitAfter3 ? 1.0 : 0.0),
        steps.Average(s => s.HitAfter5 ? 1.0 : 0.0),
        steps.Average(s => s.Liked));
}
