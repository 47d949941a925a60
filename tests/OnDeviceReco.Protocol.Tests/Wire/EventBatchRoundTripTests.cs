using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Property: any valid batch decodes to exactly what was encoded.</summary>
public sealed class EventBatchRoundTripTests
{
    private const int Iterations = 500;

    [Fact]
    public void Random_batches_round_trip_exactly()
    {
        var rng = new Random(20240601);
        for (int i = 0; i < Iterations; i++)
        {
            EventBatch batch = WireGen.Batch(rng);
            byte[] bytes = WireCodec.Encode(batch);
            WireAssert.Equal(batch, WireCodec.DecodeBatch(bytes), $"iteration {i}:");
        }
    }

    [Fact]
    public void Encoding_is_deterministic()
    {
        var rng = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            EventBatch batch = WireGen.Batch(rng, maxEvents: 300);
            Assert.Equal(WireCodec.Encode(batch), WireCodec.Encode(batch));
        }
    }

    [Fact]
    public void Re_encoding_a_decoded_batch_gives_the_same_bytes()
    {
        var rng = new Random(8);
        for (int i = 0; i < 100; i++)
        {
            byte[] bytes = WireCodec.Encode(WireGen.Batch(rng, maxEvents: 500));
            Assert.Equal(bytes, WireCodec.Encode(WireCodec.DecodeBatch(bytes)));
        }
    }

    [Fact]
    public void Batch_id_is_derived_from_device_range_and_content()
    {
        var rng = new Random(9);
        for (int i = 0; i < 100; i++)
        {
            EventBatch batch = WireGen.Batch(rng, maxEvents: 50);
            EventBatch decoded = WireCodec.DecodeBatch(WireCodec.Encode(batch));
            Assert.Equal(BatchIds.Derive(decoded.DeviceId, decoded.Events), decoded.BatchId);
        }
    }

    [Fact]
    public void Single_event_batches_with_edge_values_round_trip()
    {
        long[] sequences = [1, 2, long.MaxValue / 2, long.MaxValue];
        long[] times = [0, -1, 1, -(1L << 62), 1L << 62, -1_000_000_000_000, 1_700_000_000_000];
        double[] values = [0, -0.0, 0.5, -0.5, 5, double.Epsilon, double.MaxValue, double.MinValue, 1e15, 1e15 - 1, -1e15, 0.1, float.MaxValue];
        int[] types = [int.MinValue, -1, 0, 1, 8, 1000, 1999, int.MaxValue];
        int k = 0;
        foreach (long sequence in sequences)
        {
            foreach (long time in times)
            {
                foreach (double value in values)
                {
                    int type = types[k++ % types.Length];
                    var batch = EventBatch.Create("d", [new WireEvent(sequence, time, "u", "i", type, value, WireEvent.NoContext)]);
                    WireAssert.Equal(batch, WireCodec.DecodeBatch(WireCodec.Encode(batch)), $"seq {sequence} time {time} value {value:R}:");
                }
            }
        }
    }

    [Fact]
    public void Timestamps_whose_deltas_could_overflow_are_refused_at_encoding()
    {
        foreach (long time in (long[])[long.MinValue, long.MaxValue, (1L << 62) + 1])
        {
            var batch = EventBatch.Create("d", [new WireEvent(1, time, "u", "i", 1, 0, WireEvent.NoContext)]);
            Assert.Throws<ArgumentException>(() => WireCodec.Encode(batch));
        }
    }

    [Fact]
    public void Maximal_batch_round_trips()
    {
        var rng = new Random(10);
        var limits = WireLimits.Default;
        var events = new WireEvent[limits.MaxEventsPerBatch];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = new WireEvent(i + 1, 1_700_000_000_000 + i * 1000L, "user", $"item-{rng.Next(5000)}", 1, rng.Next(10) * 0.5, WireGen.Context(rng));
        }
        var batch = EventBatch.Create(RandomText.OfExactBytes(rng, limits.MaxStringBytes), events);
        WireAssert.Equal(batch, WireCodec.DecodeBatch(WireCodec.Encode(batch)));
    }
}
