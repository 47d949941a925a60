namespace OnDeviceReco.Server.Tests.Support;

/// <summary>The exactly-once check: the server holds every expected event once and nothing else.</summary>
public static class Ledger
{
    /// <summary>
    /// Compares feedback.db with <paramref name="expected"/> (devices under their stored names): same count, same (device, sequence) set, same item
    /// ids, no (device, sequence) and no item id twice; and the admin stats count the same number of events.
    /// </summary>
    public static async Task AssertExactlyOnceAsync(ServerHost server, IEnumerable<TrackedEvent> expected)
    {
        var want = expected.Select(e => e with { DeviceId = server.StoredDevice(e.DeviceId) }).ToList();
        var stored = server.StoredEvents();

        var duplicateKeys = stored.GroupBy(e => (e.DeviceId, e.Sequence)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicateKeys.Count == 0, $"Stored twice (device, seq): {string.Join(", ", duplicateKeys.Take(10))}");
        var duplicateItems = stored.GroupBy(e => e.ItemId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicateItems.Count == 0, $"Item ids stored twice: {string.Join(", ", duplicateItems.Take(10))}");

        var wantSet = want.ToHashSet();
        var gotSet = stored.Select(e => new TrackedEvent(e.DeviceId, e.Sequence, e.ItemId)).ToHashSet();
        var lost = wantSet.Except(gotSet).OrderBy(e => e.DeviceId).ThenBy(e => e.Sequence).ToList();
        var extra = gotSet.Except(wantSet).OrderBy(e => e.DeviceId).ThenBy(e => e.Sequence).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} events lost, e.g. {string.Join(", ", lost.Take(5))}");
        Assert.True(extra.Count == 0, $"{extra.Count} unexpected events stored, e.g. {string.Join(", ", extra.Take(5))}");
        Assert.Equal(want.Count, stored.Count);

        var stats = await server.StatsAsync();
        Assert.Equal(want.Count, stats.Events);
    }
}
