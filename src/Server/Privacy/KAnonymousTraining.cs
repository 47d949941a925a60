using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Privacy;

/// <summary>
/// The store as retraining reads it: events only on items the operator's catalogue lists (public already) or that at
/// least k distinct devices interacted with (<see cref="PrivacyOptions.MinDevices"/>), so an id only devices know
/// ships in no bundle until k devices share it. The count tables a bundle carries — the popularity list and so the
/// onboarding questions devices pick from it — take only <see cref="SharedItems"/>, whatever the catalogue says; the
/// cohort table follows <see cref="ShippedCounts"/>. A catalogued item fewer than k devices touched is still learnt by
/// the model: its vector is no count, and what a model can reveal about one user is bounded by differentially private
/// training, not by k. Two passes over the event stream: one counts, one reads.
/// </summary>
public sealed class KAnonymousTraining(IFeedbackReader store, int minDevices, IReadOnlySet<string>? catalogueItems = null) : IFeedbackReader
{
    private HashSet<string>? _shared;

    /// <summary>Items at least k distinct devices interacted with (counted at the first read).</summary>
    public IReadOnlySet<string> SharedItems => _shared ??= ItemsWithEnoughDevices();

    public IEnumerable<StoredEvent> ReadEvents()
    {
        var shared = SharedItems;
        return store.ReadEvents().Where(e => shared.Contains(e.ItemId) || catalogueItems?.Contains(e.ItemId) == true);
    }

    /// <summary>Items at least <c>minDevices</c> distinct devices interacted with.</summary>
    private HashSet<string> ItemsWithEnoughDevices() =>
        DeviceCounts(store).Where(c => c.Value >= minDevices).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Per item, how many distinct devices interacted with it (impressions, dismissals and searches do not count).</summary>
    public static Dictionary<string, int> DeviceCounts(IFeedbackReader store)
    {
        ArgumentNullException.ThrowIfNull(store);
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
        return counts.ToDictionary(c => c.Key, c => c.Value.Devices, StringComparer.Ordinal);
    }

    public FeedbackCounts Counts() => store.Counts();

    public IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket) => store.IngestHistory(since, bucket);

    public IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit) => store.ShownCounts(limit);
}
