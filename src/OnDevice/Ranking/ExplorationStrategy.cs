namespace OnDeviceReco;

/// <summary>How exploration slots (<see cref="RecommendOptions.Exploration"/>) choose their items.</summary>
public enum ExplorationStrategy
{
    /// <summary>
    /// Upper confidence: among plausible items (those the model scores above the catalogue's median in the call's one
    /// run, else the better half of the popular items) those whose estimate rests on the least evidence — rarely shown
    /// to this user, rarely seen in training — with each user's own fixed draw spreading users over them.
    /// Deterministic for a user; no extra model run. The default.
    /// </summary>
    UpperConfidence = 0,

    /// <summary>Uniformly random allowed items never shown to the user, from the whole catalogue (seeded by <see cref="RecommendOptions.ExplorationSeed"/>).</summary>
    Random = 1,
}
