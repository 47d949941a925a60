using OnDeviceReco.Protocol.Cohorts;
using OnDeviceReco.Feedback;
using OnDeviceReco.Trainer.Cohorts;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// The cohorts of each training user from the other sources the store holds: synced user attributes
/// (<c>attr:platform=ios</c>) and searches (<see cref="EventType.Search"/> events, <c>search:racing</c>), keyed by
/// <see cref="FeedbackUserKey"/> as <see cref="FeedbackInteractionSource"/> keys its users. Turned into the bundle's cohort table.
/// </summary>
public static class CohortSignals
{
    /// <summary>The cohort table for <paramref name="data"/>, or null when no user has an attribute or a search.</summary>
    public static CohortTable? Build(IUserAttributeStore store, InteractionData data, CohortOptions? options = null)
    {
        var labels = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var attribute in store.ReadAttributes())
        {
            Add(FeedbackUserKey.Of(attribute.DeviceId, attribute.UserId), CohortTable.AttributeLabel(attribute.Key, attribute.Value));
        }
        foreach (var search in store.ReadSearches())
        {
            Add(FeedbackUserKey.Of(search.DeviceId, search.UserId), CohortTable.SearchLabel(search.Query));
        }
        if (labels.Count == 0)
        {
            return null;
        }
        var perUser = data.UserIds.Select(u => (IReadOnlyCollection<string>?)labels.GetValueOrDefault(u) ?? []).ToList();
        return CohortPopularityBuilder.Build(data.Sequences, data.Items.IdOf, perUser, options);

        void Add(string user, string label)
        {
            if (!labels.TryGetValue(user, out var set))
            {
                labels[user] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(label);
        }
    }
}
