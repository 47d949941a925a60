using OnDeviceReco.Server.Storage;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Synced feedback as training data: one sequence per (device, user) — user ids are only unique on their
/// device — holding the events that show interest (not impressions, not dismissals), oldest first, with
/// immediate repeats of an item folded into one. Items get
/// titles and genres from the catalogue when one is configured; items only devices know are added bare.
/// </summary>
public sealed class FeedbackInteractionSource(IFeedbackStore store, string? catalogueDirectory) : IInteractionSource
{
    public InteractionData Load()
    {
        var items = catalogueDirectory is null ? new ItemVocabulary() : MovieLensSource.LoadCatalogue(catalogueDirectory);
        var users = new List<string>();
        var sequences = new List<int[]>();
        var current = new List<int>();
        string? currentKey = null;
        foreach (var e in store.ReadEvents())
        {
            if (!EventTypes.IsInteraction((EventType)e.Type))
            {
                continue;
            }
            string key = e.DeviceId + "/" + e.UserId;
            if (key != currentKey)
            {
                Close();
                currentKey = key;
            }
            int item = items.Add(e.ItemId);
            // A click followed by a rating of the same item is one interaction, not two: repeats would teach
            // "recommend what was just consumed" and put the held-out item into its own history.
            if (current.Count == 0 || current[^1] != item)
            {
                current.Add(item);
            }
        }
        Close();
        return new InteractionData("synced feedback", users, sequences, items);

        void Close()
        {
            if (currentKey is not null && current.Count > 0)
            {
                users.Add(currentKey);
                sequences.Add([.. current]);
            }
            current.Clear();
        }
    }
}
