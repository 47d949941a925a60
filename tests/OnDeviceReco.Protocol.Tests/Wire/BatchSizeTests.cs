using System.Globalization;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;
using Xunit.Abstractions;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>A realistic batch of ratings from one user costs at most 16 bytes per event on the wire, envelope included.</summary>
public sealed class BatchSizeTests(ITestOutputHelper output)
{
    private const int Rate = 5;
    private const double MaxBytesPerEvent = 16;

    /// <summary>150 MovieLens-like ratings: one user, ids like "1234", ratings in half steps, 0..600 s apart, consecutive sequence ids.</summary>
    private static EventBatch MovieLensLike(Random rng, int count = 150)
    {
        string device = WireGen.NewGuid(rng).ToString("N");
        string user = rng.Next(1, 1000).ToString(CultureInfo.InvariantCulture);
        long sequence = rng.Next(1, 100_000);
        long time = rng.NextInt64(946_684_800_000, 1_800_000_000_000);
        var events = new WireEvent[count];
        for (int i = 0; i < count; i++)
        {
            time += rng.Next(0, 601) * 1000L;
            string item = rng.Next(1, 10_000).ToString(CultureInfo.InvariantCulture);
            events[i] = new WireEvent(sequence + i, time, user, item, Rate, rng.Next(1, 11) * 0.5, WireEvent.NoContext);
        }
        return EventBatch.Create(device, events);
    }

    [Fact]
    public void A_movielens_like_batch_of_150_ratings_is_at_most_16_bytes_per_event()
    {
        var rng = new Random(1001);
        var perEvent = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            EventBatch batch = MovieLensLike(rng);
            byte[] bytes = WireCodec.Encode(batch);
            WireAssert.Equal(batch, WireCodec.DecodeBatch(bytes));
            perEvent.Add((double)bytes.Length / batch.Events.Count);
        }
        output.WriteLine($"150 synthetic ratings, 200 batches: bytes/event min {perEvent.Min():F2}, mean {perEvent.Average():F2}, max {perEvent.Max():F2}");
        Assert.True(perEvent.Max() <= MaxBytesPerEvent, $"worst batch was {perEvent.Max():F2} bytes/event");
    }

    [Fact]
    public void Compression_pays_for_itself_on_realistic_batches()
    {
        var rng = new Random(1002);
        EventBatch batch = MovieLensLike(rng);
        int compressed = WireCodec.Encode(batch).Length;
        int stored = BatchBody.From(batch).Seal(compress: false).Length;
        output.WriteLine($"150 synthetic ratings: {stored} bytes stored, {compressed} bytes compressed ({(double)compressed / stored:P0})");
        Assert.True(compressed < stored, $"compressed {compressed} >= stored {stored}");
    }

    [Fact]
    public void Bytes_per_event_fall_as_batches_grow()
    {
        var rng = new Random(1003);
        foreach (int count in new[] { 1, 10, 50, 150, 1000, 5000 })
        {
            EventBatch batch = MovieLensLike(rng, count);
            int bytes = WireCodec.Encode(batch).Length;
            output.WriteLine($"{count,5} synthetic ratings: {bytes,7} bytes, {(double)bytes / count:F2} bytes/event");
            if (count >= 150)
            {
                Assert.True((double)bytes / count <= MaxBytesPerEvent, $"{count} events: {(double)bytes / count:F2} bytes/event");
            }
        }
    }
}
