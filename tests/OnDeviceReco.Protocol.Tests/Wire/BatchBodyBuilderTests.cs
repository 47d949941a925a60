using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>The hand builder writes exactly what the encoder writes, so the rejection tests differ only by their edit.</summary>
public sealed class BatchBodyBuilderTests
{
    [Fact]
    public void Unedited_hand_built_batches_are_byte_identical_to_the_encoder()
    {
        var rng = new Random(801);
        for (int i = 0; i < 100; i++)
        {
            EventBatch batch = WireGen.Batch(rng, maxEvents: 300);
            byte[] handBuilt = BatchBody.From(batch).Seal();
            Assert.Equal(WireCodec.Encode(batch), handBuilt);
        }
    }

    [Fact]
    public void Uncompressed_batches_are_accepted_too()
    {
        var rng = new Random(802);
        for (int i = 0; i < 100; i++)
        {
            EventBatch batch = WireGen.Batch(rng, maxEvents: 300);
            WireAssert.Equal(batch, WireCodec.DecodeBatch(BatchBody.From(batch).Seal(compress: false)));
        }
    }
}
