using System.Globalization;
using OnDeviceReco.Trainer.Evaluation;

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

    /// <summary>Rated answers each newcomer gives before being judged (questions they have not seen do not count).</summary>
    public const int Answers = 5;

    /// <summary>
    /// Share of the users held back: 30% is 201 newcomers of MovieLens-small's 671, enough for recall@10's bootstrap
    /// interval to tell onboarding from popularity; the other 470 live phases A–C.
    /// </summary>
    public const double DefaultShare = 0.3;

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
            async (i, _) => onboarded[i] = await devices[i].OnboardAsync(Answers));
        return Summarise(onboarded);
    }

    /// <summary>
    /// The newcomers' recall@10 after onboarding and with popularity on the same sets (all ratings not used as answers),
    /// the ratio with its bootstrap 95% interval over newcomers (<see cref="ElicitationRecall"/>), and how the questions went.
    /// </summary>
    /// <param name="Asked">Questions asked per newcomer, on average.</param>
    /// <param name="Answered">Rated answers per newcomer, on average (at most <see cref="Answers"/>).</param>
    /// <param name="Liked">Liked answers per newcomer, on average.</param>
    /// <param name="FullyAnswered">Newcomers who gave all <see cref="Answers"/> answers within <see cref="SimulatedDevice.MaxQuestions"/> questions.</param>
    public sealed record Summary(ElicitationSummary Recall, double Asked, double Answered, double Liked, int FullyAnswered)
    {
        public string Line => string.Create(CultureInfo.InvariantCulture,
            $"  recall@10 against all of each newcomer's ratings not used as answers: popularity {Recall.PopularityRecall:0.0000}, after onboarding {Recall.OnboardingRecall:0.0000}"
            + $" = {Recall.Ratio:0.00} × popularity [95% {Recall.RatioLow:0.00}, {Recall.RatioHigh:0.00}] over {Recall.Users} newcomers;"
            + $" {Asked:0.0} questions asked, {Answered:0.00} answered ({Liked:0.00} liked) on average, {FullyAnswered} gave all {Answers} answers");

        public string Json => Recall.Users == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $",\"newcomers\":{Recall.Users},\"popularity_cold_recall@10\":{Recall.PopularityRecall:0.0000},\"onboarding_recall@10\":{Recall.OnboardingRecall:0.0000},\"onboarding_ratio_ci95\":[{Recall.RatioLow:0.00},{Recall.RatioHigh:0.00}]");
    }

    public static Summary Summarise(IReadOnlyList<OnboardingStep> steps) => new(
        ElicitationRecall.Summarise(steps.Select(s => s.OnboardingRecall).ToList(), steps.Select(s => s.PopularityRecall).ToList()),
        steps.Count == 0 ? 0 : steps.Average(s => s.Asked),
        steps.Count == 0 ? 0 : steps.Average(s => s.Answered),
        steps.Count == 0 ? 0 : steps.Average(s => s.Liked),
        steps.Count(s => s.Answered == Answers));
}
