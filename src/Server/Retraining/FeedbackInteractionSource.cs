using OnDeviceReco.Server.Storage;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Synced feedback as training data: one sequence per (device, user) — user ids are only unique on their
/// device — holding the events that show interest (not impressions, not dismissals), oldest first. Items get
/// titles and genres from the catalogue when one is configured; items only devices know are added bare.
/// </summary>
public sealed class FeedbackInteractionSource(IFeedbackStore store, string? catalogueDirectory) : IInteractionSource
{
    private const int Impression = 7;
    private const int Dismiss = 8;

    public InteractionData Load()
    {
        var items = catalogueDirectory is null ? new ItemVocabulary() : MovieLensSource.LoadCatalogue(catalogueDirectory);
        var users = new List<string>();
        var sequences = new List<int[]>();
        var current = new List<int>();
        string? currentKey = null;
        foreach (var e in store.ReadEvents())
        {
            if (e.Type is Impression or Dismiss)
            {
                continue;
            }
            string key = e.DeviceId + "/" + e.UserId;
            if (key != currentKey)
            {
                Close();
                currentKey = key;
            }
            current.Add(items.Add(e.ItemId));
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
