namespace OnDeviceReco;

/// <summary>How exploration slots (<see cref="RecommendOptions.Exploration"/>) choose their items.</summary>
public enum ExplorationStrategy
{
    /// <summary>
    /// Upper confidence: among plausible items (the better half of the model's candidate pool, else of the popular
    /// items) those whose estimate rests on the least evidence — rarely shown to this user, rarely seen in training.
    /// Deterministic; no extra model run. The default.
    /// </summary>
    UpperConfidence = 0,

    /// <summary>Uniformly random allowed items never shown to the user, from the whole catalogue (seeded by <see cref="RecommendOptions.ExplorationSeed"/>).</summary>
    Random = 1,
}
