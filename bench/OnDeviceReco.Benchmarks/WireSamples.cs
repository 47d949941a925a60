using System.Globalization;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Batches as devices send them: MovieLens ratings of consecutive users from the repo's data/movielens-small
/// (one device per user, as in the main command; users are concatenated for batches longer than one history),
/// or generated ratings of the same shape when the data is not found.
/// </summary>
internal static class WireSamples
{
    private static readonly Lazy<List<(string User, string Item, double Stars, long Ms)>> Ratings = new(Load);

    /// <summary>
    /// <paramref name="events"/> ratings with every field as tracked, or, given <paramref name="sent"/>, as the device
    /// sends them under that field choice (the SDK's own <see cref="SyncedFields.ToWire"/>).
    /// </summary>
    public static EventBatch MovieLensBatch(int events, string deviceId = "bench-device", SyncedFields? sent = null)
    {
        var ratings = Ratings.Value;
        var wire = new WireEvent[events];
        for (int i = 0; i < events; i++)
        {
            var (user, item, stars, ms) = ratings[i % ratings.Count];
            wire[i] = sent is null
                ? new WireEvent(i + 1, ms, user, item, (int)EventType.Rate, stars, WireEvent.NoContext)
                : sent.ToWire(new BehaviorEvent(i + 1, DateTimeOffset.FromUnixTimeMilliseconds(ms), user, item, EventType.Rate, stars, WireEvent.NoContext));
        }
        return EventBatch.Create(deviceId, wire);
    }

    private static List<(string, string, double, long)> Load()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "data", "movielens-small", "ratings.csv");
            if (File.Exists(path))
            {
                return File.ReadLines(path).Skip(1).Select(line => line.Split(','))
                    .Select(f => (f[0], f[1], double.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture) * 1000))
                    .ToList();
            }
        }
        var random = new Random(7);
        long time = 1_450_000_000_000;
        return Enumerable.Range(0, 100_000)
            .Select(i => ($"{i / 150}", $"{random.Next(1, 9_000)}", random.Next(1, 11) / 2.0, time += random.Next(0, 600_000)))
            .ToList();
    }
}
