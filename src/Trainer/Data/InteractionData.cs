namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Implicit feedback ready for sequence models: each user's items ordered by time, as indices into an item
/// vocabulary where 0 is padding. Items carry genre indices for content features.
/// </summary>
public sealed class InteractionData
{
    public InteractionData(string name, IReadOnlyList<string> userIds, IReadOnlyList<int[]> sequences, ItemVocabulary items)
    {
        Name = name;
        UserIds = userIds;
        Sequences = sequences;
        Items = items;
    }

    /// <summary>Where the data came from, for reports.</summary>
    public string Name { get; }

    /// <summary>External user ids, parallel to <see cref="Sequences"/>.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>Per user, item indices (1..ItemCount) oldest first.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    public ItemVocabulary Items { get; }

    public int InteractionCount => Sequences.Sum(s => s.Length);
}

/// <summary>A source of interactions: a MovieLens directory today, the server's synced event store later.</summary>
public interface IInteractionSource
{
    InteractionData Load();
}
