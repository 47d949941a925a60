using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Privacy;

/// <summary>
/// The store as retraining reads it: events only on items at least k distinct devices interacted with
/// (<see cref="PrivacyOptions.MinDevices"/>). Everything a bundle ships is learnt from these — the model's vocabulary and
/// item table, the popularity list, the cohort table, and so the onboarding questions devices pick from them — so an
/// item fewer than k devices touched appears in none of it (unless the operator's catalogue lists it: then as the
/// catalogue's public entry, with nothing learnt from anyone's behaviour). Two passes over the event stream: one counts,
/// one reads.
/// </summary>
public sealed class KAnonymousTraining(IFeedbackReader store, int minDevices) : IFeedbackReader
{
    public IEnumerable<StoredEvent> ReadEvents()
    {
        var allowed = ItemsWithEnoughDevices();
        return store.ReadEvents().Where(e => allowed.Contains(e.ItemId));
    }

    /// <summary>Items at least <c>minDevices</c> distinct devices interacted with (impressions, dismissals and searches do not count).</summary>
    public HashSet<string> ItemsWithEnoughDevices()
    {
        // The stream comes ordered by device, so "another device" is "not the device that counted last".
        var counts = new Dictionary<string, (string LastDevice, int Devices)>(StringComparer.Ordinal);
        foreach (var e in store.ReadEvents())
        {
            if (!EventTypes.IsInteraction((EventType)e.Type))
            {
                continue;
            }
            if (!counts.TryGetValue(e.ItemId, out var seen))
            {
                counts[e.ItemId] = (e.DeviceId, 1);
            }
            else if (!string.Equals(seen.LastDevice, e.DeviceId, StringComparison.Ordinal))
            {
                counts[e.ItemId] = (e.DeviceId, seen.Devices + 1);
            }
        }
        return counts.Where(c => c.Value.Devices >= minDevices).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    public FeedbackCounts Counts() => store.Counts();

    public IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket) => store.IngestHistory(since, bucket);

    public IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit) => store.ShownCounts(limit);
}
