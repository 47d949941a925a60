namespace OnDeviceReco.Trainer.Models;

/// <summary>Which items a softmax loss counts as the alternatives a user passed over at a training position.</summary>
public enum NegativePool
{
    /// <summary>Every item of the catalogue at every position.</summary>
    Catalogue,

    /// <summary>
    /// Only items that occur in the training data: an item no one interacted with is no evidence of anything (it may
    /// not have existed yet), and as a negative only it would teach the model that items like it — by their text,
    /// for a text recipe — are never chosen, which buries the very items launched after training.
    /// </summary>
    Trained,

    /// <summary>
    /// Only items already out at the position's time: an item counts as a negative once its first interaction in the
    /// training data is no later than the target's (an item cannot be passed over before it exists). Needs
    /// timestamps; without them it is <see cref="Trained"/>.
    /// </summary>
    Released,
}
