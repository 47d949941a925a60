using OnDeviceReco.Protocol.Cohorts;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Privacy;
using OnDeviceReco.Trainer.Cohorts;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// The cohorts of each training device from the other sources the store holds: synced user attributes
/// (<c>attr:platform=ios</c>) and searches (<see cref="EventType.Search"/> events, <c>search:racing</c>), turned into the
/// bundle's cohort table. Counted by device, not by user (a client can name any number of users on one device): a
/// device belongs to the cohorts of its users and chose what they chose. What ships follows <see cref="ShippedCounts"/>:
/// a cohort of at least k devices, within it an item at least k of them chose, sizes and counts with noise.
/// </summary>
public static class CohortSignals
{
    /// <summary>The cohort table for <paramref name="data"/>, or null when no device has an attribute or a search, or no cohort may ship.</summary>
    /// <param name="store">The attributes and searches.</param>
    /// <param name="data">The training data (its users are <see cref="FeedbackUserKey"/>s).</param>
    /// <param name="shipped">The k-anonymity and noise rule.</param>
    /// <param name="modelVersion">The bundle's version: each version's noise is drawn anew, and stays with that version.</param>
    public static CohortTable? Build(IUserAttributeStore store, InteractionData data, ShippedCounts shipped, long modelVersion)
    {
        var labels = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var attribute in store.ReadAttributes())
        {
            Add(attribute.DeviceId, CohortTable.AttributeLabel(attribute.Key, attribute.Value));
        }
        foreach (var search in store.ReadSearches())
        {
            Add(search.DeviceId, CohortTable.SearchLabel(search.Query));
        }
        if (labels.Count == 0)
        {
            return null;
        }
        var chosen = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        for (int user = 0; user < data.UserIds.Count; user++)
        {
            string device = DeviceOf(data.UserIds[user]);
            if (!chosen.TryGetValue(device, out var items))
            {
                chosen[device] = items = [];
            }
            items.UnionWith(data.Sequences[user]);
        }
        var devices = chosen.Keys.ToList();
        var counted = CohortPopularityBuilder.Build(
            devices.Select(d => chosen[d].ToArray()).ToList(), data.Items.IdOf,
            devices.Select(d => (IReadOnlyCollection<string>?)labels.GetValueOrDefault(d) ?? []).ToList(),
            new CohortOptions(MinUsers: shipped.MinDevices));
        var cohorts = new List<Cohort>();
        foreach (var cohort in counted.Cohorts.Values)
        {
            if (shipped.Noisy($"cohorts/v{modelVersion}", cohort.Label, cohort.Users) is not { } size)
            {
                continue;
            }
            var items = shipped.Release($"cohorts/v{modelVersion}/{cohort.Label}",
                    cohort.Items.Select(i => (i.ItemId, (int)Math.Round(i.Share * cohort.Users))))
                .Select(i => (i.Cell, Share: Math.Min(1f, (float)i.Count / size)))
                .OrderByDescending(i => i.Share).ThenBy(i => i.Cell, StringComparer.Ordinal)
                .ToList();
            if (items.Count > 0)
            {
                cohorts.Add(new Cohort(cohort.Label, size, items));
            }
        }
        return cohorts.Count == 0 ? null : new CohortTable(cohorts);

        void Add(string device, string label)
        {
            if (!labels.TryGetValue(device, out var set))
            {
                labels[device] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(label);
        }
    }

    private static string DeviceOf(string userKey) => userKey[..userKey.IndexOf('\n', StringComparison.Ordinal)];
}
