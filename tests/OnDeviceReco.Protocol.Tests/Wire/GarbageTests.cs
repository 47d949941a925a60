using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// Random bytes, bit flips and byte edits either decode to a well-formed message or throw
/// <see cref="ProtocolFormatException"/>; no other exception type ever escapes a decoder.
/// </summary>
public sealed class GarbageTests
{
    [Fact]
    public void Random_bytes_never_escape_as_another_exception()
    {
        var rng = new Random(601);
        for (int i = 0; i < 3000; i++)
        {
            byte[] garbage = Lz4Inputs.Noise(rng, rng.Next(0, 200));
            foreach (var decode in AllMessages.Decoders)
            {
                WireAssert.DecodesOrRejects(() => decode(garbage), $"garbage {i}: {Convert.ToHexString(garbage)}");
            }
        }
    }

    [Fact]
    public void Random_bodies_in_a_valid_envelope_never_escape_as_another_exception()
    {
        var rng = new Random(602);
        for (int i = 0; i < 3000; i++)
        {
            var kind = (MessageKind)rng.Next(1, 7);
            byte[] body = Lz4Inputs.Noise(rng, rng.Next(0, 300));
            bool compress = rng.Next(2) == 0;
            byte[] message = Envelope.Seal(kind, body, compress);
            WireAssert.DecodesOrRejects(() => AllMessages.DecoderOf(kind)(message), $"{kind} body {i}: {Convert.ToHexString(body)}");
        }
    }

    [Fact]
    public void Random_lz4_data_in_a_batch_envelope_is_rejected()
    {
        var rng = new Random(603);
        for (int i = 0; i < 3000; i++)
        {
            byte[] block = Lz4Inputs.Noise(rng, rng.Next(0, 100));
            byte[] message = HandBuilt.Envelope((int)MessageKind.EventBatch, block, codec: 1, decodedLength: rng.Next(0, 4096));
            WireAssert.DecodesOrRejects(() => WireCodec.DecodeBatch(message), $"lz4 garbage {i}");
        }
    }

    [Fact]
    public void Bit_flips_in_encoded_batches_decode_well_formed_or_are_rejected()
    {
        var rng = new Random(604);
        int decoded = 0;
        for (int i = 0; i < 3000; i++)
        {
            bool compress = i % 2 == 0;
            byte[] bytes = compress ? WireCodec.Encode(WireGen.Batch(rng, maxEvents: 30)) : BatchBody.From(WireGen.Batch(rng, maxEvents: 30)).Seal(compress: false);
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            }
            EventBatch? batch = WireAssert.DecodesOrRejects(() => WireCodec.DecodeBatch(bytes), $"flip {i} (compress {compress})");
            if (batch is not null)
            {
                WireAssert.IsWellFormed(batch, WireLimits.Default);
                decoded++;
            }
        }
        // Some flips land in ids, values or timestamps and still make a valid batch: the decoder checks form, not meaning.
        Assert.True(decoded > 0, "no flipped batch decoded at all: the test is not reaching the column readers");
    }

    [Fact]
    public void Byte_edits_in_batch_bodies_decode_well_formed_or_are_rejected()
    {
        var rng = new Random(605);
        for (int i = 0; i < 3000; i++)
        {
            var body = new List<byte>(BatchBody.From(WireGen.Batch(rng, maxEvents: 30)).Write());
            for (int edits = rng.Next(1, 4); edits > 0 && body.Count > 0; edits--)
            {
                int at = rng.Next(body.Count);
                switch (rng.Next(4))
                {
                    case 0:
                        body[at] = (byte)rng.Next(256);
                        break;
                    case 1:
                        body.Insert(at, (byte)rng.Next(256));
                        break;
                    case 2:
                        body.RemoveAt(at);
                        break;
                    default:
                        // MessagePack markers most likely to confuse a reader: nil, bools, max ints, big headers.
                        byte[] markers = [0xC0, 0xC2, 0xC3, 0xCF, 0xD3, 0xDD, 0xDF, 0xDB, 0xC6, 0xCB, 0xCA, 0x7F, 0xFF];
                        body[at] = markers[rng.Next(markers.Length)];
                        break;
                }
            }
            byte[] message = Envelope.Seal(MessageKind.EventBatch, body.ToArray(), compress: rng.Next(2) == 0);
            EventBatch? batch = WireAssert.DecodesOrRejects(() => WireCodec.DecodeBatch(message), $"edit {i}");
            if (batch is not null)
            {
                WireAssert.IsWellFormed(batch, WireLimits.Default);
            }
        }
    }

    [Fact]
    public void Bit_flips_in_other_messages_decode_or_are_rejected()
    {
        var rng = new Random(606);
        for (int i = 0; i < 500; i++)
        {
            foreach (var sample in AllMessages.Samples(rng, maxEvents: 5))
            {
                byte[] bytes = sample.Bytes;
                bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                WireAssert.DecodesOrRejects(() => sample.Decode(bytes), $"{sample.Kind} flip {i}");
            }
        }
    }
}
