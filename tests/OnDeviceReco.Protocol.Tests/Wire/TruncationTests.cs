using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>A message cut short anywhere, or with bytes after it, is a <see cref="ProtocolFormatException"/>.</summary>
public sealed class TruncationTests
{
    [Fact]
    public void Every_prefix_of_a_small_batch_is_rejected()
    {
        var rng = new Random(501);
        for (int n = 0; n < 20; n++)
        {
            byte[] bytes = WireCodec.Encode(WireGen.Batch(rng, maxEvents: 8));
            for (int length = 0; length < bytes.Length; length++)
            {
                WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes.AsMemory(0, length)), $"batch {n}, prefix {length}/{bytes.Length}");
            }
        }
    }

    [Fact]
    public void Every_prefix_of_the_sample_batch_is_rejected_compressed_or_not()
    {
        foreach (bool compress in new[] { true, false })
        {
            byte[] bytes = BatchBody.Sample().Seal(compress);
            for (int length = 0; length < bytes.Length; length++)
            {
                WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes.AsMemory(0, length)), $"compress {compress}, prefix {length}/{bytes.Length}");
            }
        }
    }

    [Fact]
    public void Sampled_prefixes_of_a_large_batch_are_rejected()
    {
        var rng = new Random(502);
        EventBatch batch;
        do
        {
            batch = WireGen.Batch(rng);
        }
        while (batch.Events.Count < 1500);
        byte[] bytes = WireCodec.Encode(batch);
        var lengths = Enumerable.Range(0, 500).Select(_ => rng.Next(bytes.Length))
            .Concat(Enumerable.Range(Math.Max(0, bytes.Length - 64), Math.Min(64, bytes.Length)))
            .Concat(Enumerable.Range(0, 64));
        foreach (int length in lengths)
        {
            WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes.AsMemory(0, length)), $"prefix {length}/{bytes.Length}");
        }
    }

    [Fact]
    public void Every_prefix_of_every_other_message_kind_is_rejected()
    {
        var rng = new Random(503);
        for (int n = 0; n < 10; n++)
        {
            foreach (var sample in AllMessages.Samples(rng))
            {
                Assert.NotNull(sample.Decode(sample.Bytes));
                for (int length = 0; length < sample.Bytes.Length; length++)
                {
                    WireAssert.Rejects(() => sample.Decode(sample.Bytes.AsMemory(0, length)), $"{sample.Kind}, prefix {length}/{sample.Bytes.Length}");
                }
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0xC0 })]
    [InlineData(new byte[] { 0x90 })]
    [InlineData(new byte[] { 0x01, 0x02, 0x03 })]
    public void Bytes_after_a_message_are_rejected(byte[] extra)
    {
        var rng = new Random(504);
        foreach (var sample in AllMessages.Samples(rng))
        {
            byte[] padded = [.. sample.Bytes, .. extra];
            var e = WireAssert.Rejects(() => sample.Decode(padded), $"{sample.Kind} + {Convert.ToHexString(extra)}");
            Assert.Contains("Trailing", e.Message, StringComparison.OrdinalIgnoreCase);
        }
    }
}
