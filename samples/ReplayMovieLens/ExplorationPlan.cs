using System.Globalization;
using OnDeviceReco;

namespace ReplayMovieLens;

/// <summary>
/// How phase B shows recommendations when exploration is measured: the later months split into
/// <paramref name="Sessions"/> visits, each showing a fresh top-10 with <paramref name="Share"/> of the slots
/// explored by <paramref name="Strategy"/> (null: none), so impressions accumulate on the device between visits.
/// Without the loop's --exploration and --sessions flags there is no plan: one list is shown, as always.
/// </summary>
internal sealed record ExplorationPlan(ExplorationStrategy? Strategy, double Share, int Sessions, int Seed)
{
    public string Name => Strategy switch
    {
        ExplorationStrategy.UpperConfidence => "ucb",
        ExplorationStrategy.Random => "random",
        _ => "none",
    };

    /// <summary>The options of one visit: exploration seeded per user and visit, so runs with the same seed repeat.</summary>
    public RecommendOptions Options(string userId, int session) => Strategy is { } strategy
        ? new RecommendOptions
        {
            Exploration = Share,
            ExplorationStrategy = strategy,
            ExplorationSeed = HashCode.Combine(Seed, StableHash(userId), session),
        }
        : RecommendOptions.Default;

    /// <summary>From --exploration none|ucb|random, --exploration-share (default 0.2) and --sessions (default 5); null when neither flag is given.</summary>
    public static ExplorationPlan? Parse(string? exploration, string? share, string? sessions, int seed)
    {
        if (exploration is null && sessions is null)
        {
            return null;
        }
        ExplorationStrategy? strategy = exploration switch
        {
            null or "none" => null,
            "ucb" => ExplorationStrategy.UpperConfidence,
            "random" => ExplorationStrategy.Random,
            _ => throw new ArgumentException($"--exploration {exploration}: use none, ucb or random."),
        };
        return new ExplorationPlan(strategy, double.Parse(share ?? "0.2", CultureInfo.InvariantCulture),
            int.Parse(sessions ?? "5", CultureInfo.InvariantCulture), seed);
    }

    // string.GetHashCode is randomised per process; runs with the same seed must explore the same way.
    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = 17;
            foreach (char c in text)
            {
                hash = hash * 31 + c;
            }
            return hash;
        }
    }
}
