using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Synced feedback as training data, read as a stream through the store's own training read
/// (<see cref="IFeedbackStore.ReadEvents"/>): one sequence per (device, user) — user ids are only unique on their
/// device — built by <see cref="UserSequenceBuilder"/>. Items get titles and genres from the catalogue when one is
/// configured; items only devices know are added bare. The server's retraining and the trainer's
/// <c>--data sqlite:…</c> / <c>postgresql:…</c> both read through here. With <paramref name="collectShown"/> it also
/// keeps what was shown and not taken (impressions), for recipes that learn from them.
/// </summary>
public sealed class FeedbackInteractionSource(IFeedbackStore store, string? catalogueDirectory, bool collectShown = false) : IInteractionSource
{
    public InteractionData Load()
    {
        var items = catalogueDirectory is null ? new ItemVocabulary() : MovieLensSource.LoadCatalogue(catalogueDirectory);
        var sequences = new UserSequenceBuilder(items, collectShown);
        foreach (var e in store.ReadEvents())
        {
            sequences.Add(e.DeviceId + "/" + e.UserId, e.ItemId, (EventType)e.Type);
        }
        return sequences.Build("synced feedback");
    }
}
