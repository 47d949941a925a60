namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Implicit feedback ready for sequence models: each user's items ordered by time, as indices into an item
/// vocabulary where 0 is padding. Items carry genre indices for content features.
/// </summary>
public sealed class InteractionData
{
    public InteractionData(string name, IReadOnlyList<string> userIds, IReadOnlyList<int[]> sequences, ItemVocabulary items,
        IReadOnlyList<ShownItem[]>? shown = null, IReadOnlyList<bool[]>? sameTime = null, IReadOnlyList<long[]>? times = null)
    {
        Name = name;
        UserIds = userIds;
        Sequences = sequences;
        Items = items;
        Shown = shown;
        SameTime = sameTime;
        Times = times;
    }

    /// <summary>Where the data came from, for reports.</summary>
    public string Name { get; }

    /// <summary>External user ids, parallel to <see cref="Sequences"/>.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>Per user, item indices (1..ItemCount) oldest first.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    public ItemVocabulary Items { get; }

    /// <summary>
    /// Per user (parallel to <see cref="Sequences"/>), items that were shown and never taken afterwards; null when
    /// the source did not collect impressions.
    /// </summary>
    public IReadOnlyList<ShownItem[]>? Shown { get; }

    /// <summary>
    /// Per user (parallel to <see cref="Sequences"/>), true where an interaction has the same timestamp as the one
    /// before it: the order within such a run is the source's (MovieLens lists a batch rated in one second by movie
    /// id), not the user's. Null when the source has no timestamps or its order is the user's own (a device's
    /// sequence numbers).
    /// </summary>
    public IReadOnlyList<bool[]>? SameTime { get; }

    /// <summary>
    /// Per user (parallel to <see cref="Sequences"/>), each interaction's timestamp in the source's unit; null when the
    /// source has none (the feedback store orders by the device's sequence numbers). The time-split protocol needs it.
    /// </summary>
    public IReadOnlyList<long[]>? Times { get; }

    public int InteractionCount => Sequences.Sum(s => s.Length);
}

/// <summary>An item shown to a user (an impression) that the user never took afterwards.</summary>
/// <param name="From">How many of the user's interactions came before it was shown: it is a negative for predicting
/// the interaction at this position of the sequence and every later one.</param>
/// <param name="Item">The item's index.</param>
public readonly record struct ShownItem(int From, int Item);

/// <summary>A source of interactions: a MovieLens directory today, the server's synced event store later.</summary>
public interface IInteractionSource
{
    InteractionData Load();
}
