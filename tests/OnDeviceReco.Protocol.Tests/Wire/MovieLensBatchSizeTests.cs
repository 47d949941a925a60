using System.Globalization;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;
using Xunit.Abstractions;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Real movielens-small ratings, one device per user, sent as the SDK would: at most 16 bytes per event.</summary>
public sealed class MovieLensBatchSizeTests(ITestOutputHelper output)
{
    private const int Rate = 5;
    private const double MaxBytesPerEvent = 16;
    // SyncOptions.MaxBatchEvents' default in the device SDK.
    private const int SdkBatchEvents = 5_000;

    private static readonly Lazy<List<MovieLensRatings.Rating>> Ratings = new(() =>
    {
        string? path = MovieLensRatings.Find();
        Assert.True(path is not null, "data/movielens-small/ratings.csv (committed in the repo) not found above the test binaries");
        return MovieLensRatings.Read(path!);
    });

    /// <summary>Every user's ratings in time order as one device's events, cut into batches of <paramref name="batchEvents"/>.</summary>
    private static IEnumerable<EventBatch> Batches(int batchEvents)
    {
        foreach (var user in Ratings.Value.GroupBy(r => r.UserId))
        {
            string device = $"device-{user.Key:D6}";
            string userId = user.Key.ToString(CultureInfo.InvariantCulture);
            var events = user.OrderBy(r => r.TimestampSeconds)
                .Select((r, i) => new WireEvent(i + 1, r.TimestampSeconds * 1000, userId, r.MovieId.ToString(CultureInfo.InvariantCulture), Rate, r.Value, WireEvent.NoContext))
                .ToList();
            foreach (var chunk in events.Chunk(batchEvents))
            {
                yield return EventBatch.Create(device, chunk);
            }
        }
    }

    private (long Bytes, long Events, int Batches) Measure(int batchEvents)
    {
        long bytes = 0, events = 0;
        int batches = 0;
        foreach (EventBatch batch in Batches(batchEvents))
        {
            byte[] encoded = WireCodec.Encode(batch);
            WireAssert.Equal(batch, WireCodec.DecodeBatch(encoded));
            bytes += encoded.Length;
            events += batch.Events.Count;
            batches++;
        }
        output.WriteLine($"movielens-small, batches of up to {batchEvents}: {batches} batches, {events} events, {bytes} bytes, {(double)bytes / events:F2} bytes/event");
        return (bytes, events, batches);
    }

    [Fact]
    public void The_data_is_the_expected_file()
    {
        var ratings = Ratings.Value;
        Assert.Equal(98_662, ratings.Count);
        Assert.Equal(671, ratings.Select(r => r.UserId).Distinct().Count());
        Assert.All(ratings, r => Assert.True(r.Value is >= 0.5 and <= 5.0 && r.Value * 2 == Math.Floor(r.Value * 2)));
    }

    [Fact]
    public void Every_user_as_sdk_batches_costs_at_most_16_bytes_per_event()
    {
        var (bytes, events, _) = Measure(SdkBatchEvents);
        Assert.True((double)bytes / events <= MaxBytesPerEvent, $"{(double)bytes / events:F2} bytes/event");
    }

    [Fact]
    public void Every_user_in_batches_of_150_costs_at_most_16_bytes_per_event()
    {
        var (bytes, events, _) = Measure(150);
        Assert.True((double)bytes / events <= MaxBytesPerEvent, $"{(double)bytes / events:F2} bytes/event");
    }
}
