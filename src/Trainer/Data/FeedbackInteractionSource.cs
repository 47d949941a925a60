using OnDeviceReco.Feedback;

namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Synced feedback as training data, read as a stream through the store's own training read
/// (<see cref="IFeedbackReader.ReadEvents"/>): one sequence per <see cref="FeedbackUserKey"/> (device, user) built by <see cref="UserSequenceBuilder"/>, then put in <see cref="CanonicalUserOrder"/> so the same
/// stored events train the same model whatever order devices synced in. Items get titles and genres from the
/// catalogue when one is configured; items only devices know are added bare. The server's retraining and the
/// trainer's <c>--data sqlite:…</c> / <c>postgresql:…</c> both read through here. With <paramref name="collectShown"/>
/// it also keeps what was shown and not taken (impressions), for recipes that learn from them.
/// </summary>
public sealed class FeedbackInteractionSource(IFeedbackReader store, string? catalogueDirectory, bool collectShown = false) : IInteractionSource
{
    public InteractionData Load()
    {
        var sequences = new UserSequenceBuilder(Catalogue(), collectShown);
        var owners = new Dictionary<string, (string UserId, string DeviceId)>(StringComparer.Ordinal);
        foreach (var e in store.ReadEvents())
        {
            string user = FeedbackUserKey.Of(e.DeviceId, e.UserId);
            owners.TryAdd(user, (e.UserId, e.DeviceId));
            sequences.Add(user, e.ItemId, (EventType)e.Type);
        }
        var read = sequences.Build("synced feedback");
        return CanonicalUserOrder.Apply(read, read.UserIds.Select(u => owners[u]).ToList(), Catalogue());
    }

    private ItemVocabulary Catalogue() => catalogueDirectory is null ? new ItemVocabulary() : MovieLensSource.LoadCatalogue(catalogueDirectory);
}
