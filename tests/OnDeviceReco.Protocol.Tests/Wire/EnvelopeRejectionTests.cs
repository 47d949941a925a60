using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>The envelope is checked before the body: kind, magic, version, codec, declared size, field count.</summary>
public sealed class EnvelopeRejectionTests
{
    private static readonly byte[] AckBody = HandBuilt.Write((ref MessagePack.MessagePackWriter w) =>
    {
        w.WriteArrayHeader(5);
        w.Write(new byte[16]);
        w.Write(1L);
        w.Write(1);
        w.Write(0);
        w.Write(false);
    });

    [Fact]
    public void The_hand_built_ack_envelope_is_valid()
    {
        Assert.Equal(new BatchAck(Guid.Empty, 1, 1, 0, false), WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody)));
        Assert.Equal(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody), Envelope.Seal(MessageKind.BatchAck, AckBody, compress: false));
    }

    [Fact]
    public void A_message_of_another_kind_is_rejected_naming_both_kinds()
    {
        var samples = AllMessages.Samples(new Random(701));
        foreach (var sample in samples)
        {
            foreach (MessageKind expected in Enum.GetValues<MessageKind>().Where(k => k != sample.Kind))
            {
                var e = WireAssert.Rejects(() => AllMessages.DecoderOf(expected)(sample.Bytes), $"{sample.Kind} read as {expected}");
                Assert.Contains(expected.ToString(), e.Message, StringComparison.Ordinal);
                Assert.Contains(((int)sample.Kind).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void An_ack_decoded_as_a_batch_is_rejected_as_the_wrong_kind()
    {
        byte[] ack = WireCodec.Encode(new BatchAck(Guid.NewGuid(), 5, 5, 0, false));
        var e = WireAssert.Rejects(() => WireCodec.DecodeBatch(ack), "ack as batch");
        Assert.Contains("Expected a EventBatch message, got kind 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void An_unknown_kind_is_rejected(int kind)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope(kind, AckBody)), $"kind {kind}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void An_unknown_version_is_rejected(int version)
    {
        var e = WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody, version: version)), $"version {version}");
        Assert.Contains("version", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(255)]
    [InlineData(int.MinValue)]
    public void An_unknown_codec_is_rejected(int codec)
    {
        var e = WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody, codec: codec)), $"codec {codec}");
        Assert.Contains("codec", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ODS")]
    [InlineData("odr")]
    [InlineData("ODR\0")]
    [InlineData("ODRODRODR")]
    public void A_bad_magic_is_rejected(string magic)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody, magic: magic)), $"magic '{magic}'");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    public void A_wrong_field_count_is_rejected(int fields)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody, fields: fields)), $"{fields} fields");
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(4294967295L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void A_declared_length_that_is_negative_or_wrong_is_rejected(long declared)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody, decodedLength: declared)), $"declared {declared}");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void A_stored_body_must_have_exactly_the_declared_length(int off)
    {
        var e = WireAssert.Rejects(() => WireCodec.DecodeAck(HandBuilt.Envelope((int)MessageKind.BatchAck, AckBody, decodedLength: AckBody.Length + off)), $"off by {off}");
        Assert.Contains("declared", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nil_or_non_binary_body_is_rejected()
    {
        byte[] nil = HandBuilt.Write((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write("ODR");
            w.Write((int)MessageKind.BatchAck);
            w.Write(1);
            w.Write(0);
            w.Write(0);
            w.WriteNil();
        });
        WireAssert.Rejects(() => WireCodec.DecodeAck(nil), "nil body");
        byte[] number = HandBuilt.Write((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write("ODR");
            w.Write((int)MessageKind.BatchAck);
            w.Write(1);
            w.Write(0);
            w.Write(1);
            w.Write(7);
        });
        WireAssert.Rejects(() => WireCodec.DecodeAck(number), "integer body");
    }

    [Fact]
    public void A_message_larger_than_the_decoded_limit_is_rejected_before_reading()
    {
        var rng = new Random(702);
        EventBatch batch;
        do
        {
            batch = WireGen.Batch(rng, maxEvents: 200);
        }
        while (batch.Events.Count < 50);
        byte[] bytes = WireCodec.Encode(batch);
        var limits = new WireLimits { MaxDecodedBytes = bytes.Length - 1 };
        var e = WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes, limits), "over MaxDecodedBytes");
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_decompresses_past_the_decoded_limit_is_rejected()
    {
        var events = Enumerable.Range(1, 500).Select(i => new WireEvent(i, 1_000L * i, "user", "item", 1, 0, WireEvent.NoContext)).ToArray();
        EventBatch batch = EventBatch.Create("device", events);
        byte[] bytes = WireCodec.Encode(batch);
        int bodyLength = BatchBody.From(batch).Write().Length;
        Assert.True(bytes.Length < bodyLength, "the batch should compress");
        WireAssert.Equal(batch, WireCodec.DecodeBatch(bytes, new WireLimits { MaxDecodedBytes = bodyLength }));
        var e = WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes, new WireLimits { MaxDecodedBytes = bodyLength - 1 }), "declared one over the limit");
        Assert.Contains("Declared body size", e.Message, StringComparison.Ordinal);
    }
}
