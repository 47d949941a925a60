namespace OnDeviceReco;

/// <summary>Where a recommendation came from; the cold-start chain falls back model → content → popularity.</summary>
public enum RecommendationSource
{
    /// <summary>Scored by the sequence model from the user's behaviour.</summary>
    Model = 0,
    /// <summary>Scored from item content (categories) against the user's profile.</summary>
    Content = 1,
    /// <summary>Popular items, used when nothing personal is available.</summary>
    Popularity = 2,
    /// <summary>
    /// Popular with the people who share the user's attributes or searches (the model bundle's cohort table): the
    /// cold-start pick for a user with no usable history.
    /// </summary>
    Cohort = 3,
}

/// <summary>One recommended item.</summary>
/// <param name="ItemId">The item to show.</param>
/// <param name="Score">Higher is better; comparable only within one response.</param>
/// <param name="Rank">Position in the response, starting at 1.</param>
/// <param name="Source">Which stage of the chain produced it.</param>
/// <param name="Reason">A short human-readable explanation.</param>
/// <param name="IsExploration">True for a slot given to something fresh on purpose (see <see cref="RecommendOptions.Exploration"/>).</param>
public sealed record Recommendation(string ItemId, double Score, int Rank, RecommendationSource Source, string Reason, bool IsExploration = false);

/// <summary>Filters applied to every recommendation source.</summary>
public sealed record RecommendOptions
{
    /// <summary>Leave out items the user already interacted with. Default true.</summary>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Items never to recommend.</summary>
    public IReadOnlySet<string>? Blocked { get; init; }

    /// <summary>When set, recommend only from these items.</summary>
    public IReadOnlySet<string>? Candidates { get; init; }

    /// <summary>When set, recommend only items with at least one of these categories (needs item metadata).</summary>
    public IReadOnlySet<string>? Categories { get; init; }

    /// <summary>
    /// Diversity re-ranking (maximal marginal relevance): 1 keeps the model's order, lower values trade
    /// relevance for items unlike those already picked (by item embeddings, else categories). Default 1.
    /// </summary>
    public double Relevance { get; init; } = 1.0;

    /// <summary>Share of slots (0–1) given to items chosen to learn about them (see <see cref="ExplorationStrategy"/>). Default 0.</summary>
    public double Exploration { get; init; }

    /// <summary>How exploration slots choose their items. Default <see cref="ExplorationStrategy.UpperConfidence"/>.</summary>
    public ExplorationStrategy ExplorationStrategy { get; init; }

    /// <summary>Seed for random exploration choices (<see cref="ExplorationStrategy.Random"/>); null draws a new one per call.</summary>
    public int? ExplorationSeed { get; init; }

    /// <summary>Default options.</summary>
    public static RecommendOptions Default { get; } = new();
}

/// <summary>A request to a recommender: validated by the caller (see <see cref="RecommendOptions"/> for the ranges).</summary>
/// <param name="UserId">The profile to recommend for.</param>
/// <param name="Count">How many items (1–1,000).</param>
/// <param name="Options">Filters.</param>
internal sealed record RecommendationRequest(string UserId, int Count, RecommendOptions Options);
