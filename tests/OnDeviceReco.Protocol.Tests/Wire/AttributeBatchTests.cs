using MessagePack;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// Attribute batches: exact round trips; hand-built hostile bodies refused before allocating; an event batch is byte
/// for byte what it was before attributes existed, so old servers and devices keep working.
/// </summary>
public sealed class AttributeBatchTests
{
    [Fact]
    public void Random_attribute_batches_and_acks_round_trip()
    {
        var rng = new Random(801);
        for (int i = 0; i < 500; i++)
        {
            var batch = WireGen.Attributes(rng);
            Assert.Equal(batch, WireCodec.DecodeAttributeBatch(WireCodec.Encode(batch)));
            var ack = WireGen.AttributeAck(rng);
            Assert.Equal(ack, WireCodec.DecodeAttributeAck(WireCodec.Encode(ack)));
        }
    }

    [Fact]
    public void The_batch_id_derives_from_the_device_and_the_range_so_a_resend_reuses_it()
    {
        var changes = new[] { new AttributeChange(3, 1, "u", "platform", "ios"), new AttributeChange(9, 2, "u", "locale", null) };
        Assert.Equal(AttributeBatch.Create("d", changes).BatchId, AttributeBatch.Create("d", changes.ToList()).BatchId);
        Assert.NotEqual(AttributeBatch.Create("d", changes).BatchId, AttributeBatch.Create("e", changes).BatchId);
        Assert.NotEqual(AttributeBatch.Create("d", changes).BatchId, EventBatch.Create("d",
            [new WireEvent(3, 1, "u", "i", 1, 0, WireEvent.NoContext), new WireEvent(9, 1, "u", "i", 1, 0, WireEvent.NoContext)]).BatchId);
    }

    /// <summary>The body <c>[device, batch id, changes]</c> with each change's fields written as given.</summary>
    private static byte[] Body(int declaredChanges, params object?[][] changes) =>
        Envelope.Seal(MessageKind.AttributeBatch, HandBuilt.Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write("device");
            w.Write(new byte[16]);
            w.WriteArrayHeader(declaredChanges);
            foreach (var fields in changes)
            {
                w.WriteArrayHeader(fields.Length);
                foreach (object? field in fields)
                {
                    switch (field)
                    {
                        case null: w.WriteNil(); break;
                        case long n: w.Write(n); break;
                        case int n: w.Write(n); break;
                        case string s: w.Write(s); break;
                        case byte[] raw: w.WriteString(raw); break;
                        default: throw new ArgumentException(field.GetType().Name);
                    }
                }
            }
        }), compress: false);

    [Fact]
    public void A_hand_built_valid_body_decodes()
    {
        var batch = WireCodec.DecodeAttributeBatch(Body(2, [1L, 5L, "u", "k", "v"], [2L, 6L, "u", "k", null]));
        Assert.Equal([new AttributeChange(1, 5, "u", "k", "v"), new AttributeChange(2, 6, "u", "k", null)], batch.Changes);
    }

    public static TheoryData<string, byte[]> HostileBodies => new()
    {
        { "no changes", Body(0) },
        { "a count of 2^31-1 changes declared over 1", Body(int.MaxValue, [1L, 5L, "u", "k", "v"]) },
        { "10,001 changes declared", Body(10_001, [1L, 5L, "u", "k", "v"]) },
        { "sequence id 0", Body(1, [0L, 5L, "u", "k", "v"]) },
        { "sequence ids going back", Body(2, [5L, 5L, "u", "k", "v"], [4L, 5L, "u", "k", "v"]) },
        { "a repeated sequence id", Body(2, [5L, 5L, "u", "k", "v"], [5L, 5L, "u", "k", "v"]) },
        { "a sequence id above 2^53", Body(1, [(1L << 53) + 1, 5L, "u", "k", "v"]) },
        { "an empty user", Body(1, [1L, 5L, "", "k", "v"]) },
        { "a nil key", Body(1, [1L, 5L, "u", null, "v"]) },
        { "an empty key", Body(1, [1L, 5L, "u", "", "v"]) },
        { "a 1,025-byte value", Body(1, [1L, 5L, "u", "k", new string('v', 1025)]) },
        { "invalid UTF-8 in a key", Body(1, [1L, 5L, "u", new byte[] { 0x6B, 0xC3, 0x28 }, "v"]) },
        { "a change of 4 fields", Body(1, [1L, 5L, "u", "k"]) },
        { "a change of 6 fields", Body(1, [1L, 5L, "u", "k", "v", "extra"]) },
        { "a number where the user goes", Body(1, [1L, 5L, 7L, "k", "v"]) },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public void Hostile_attribute_bodies_are_refused(string what, byte[] message)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAttributeBatch(message), what);
    }

    [Fact]
    public void An_acknowledgement_of_four_fields_from_a_server_before_highest_sequence_decodes_with_zero()
    {
        var id = Guid.NewGuid();
        Assert.Equal(new AttributeAck(id, 7, 3, 1, 0), WireCodec.DecodeAttributeAck(Acknowledgement(id, 4)));
    }

    [Fact]
    public void An_acknowledgement_from_a_newer_server_with_more_fields_decodes_and_skips_them()
    {
        var id = Guid.NewGuid();
        byte[] message = Acknowledgement(id, 7, (ref MessagePackWriter w) =>
        {
            w.Write(12L);
            w.Write("a field this device does not know");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.WriteNil();
        });

        Assert.Equal(new AttributeAck(id, 7, 3, 1, 12), WireCodec.DecodeAttributeAck(message));
    }

    [Fact]
    public void An_acknowledgement_of_three_fields_is_refused()
    {
        WireAssert.Rejects(() => WireCodec.DecodeAttributeAck(Acknowledgement(Guid.NewGuid(), 3)), "three fields");
    }

    /// <summary>An acknowledgement of <paramref name="fields"/> fields, hand-built: batch id, applied through 7, applied 3, already 1 (as many as fit), then <paramref name="more"/>.</summary>
    private static byte[] Acknowledgement(Guid id, int fields, HandBuilt.BodyWriter? more = null) =>
        HandBuilt.Acknowledgement(MessageKind.AttributeAck, fields, [id, 7L, 3, 1], more);

    [Fact]
    public void An_attribute_batch_is_never_read_as_an_event_batch_and_back()
    {
        var rng = new Random(802);
        byte[] attributes = WireCodec.Encode(WireGen.Attributes(rng));
        byte[] events = WireCodec.Encode(WireGen.Batch(rng, maxEvents: 5));
        WireAssert.Rejects(() => WireCodec.DecodeBatch(attributes), "attributes as events");
        WireAssert.Rejects(() => WireCodec.DecodeAttributeBatch(events), "events as attributes");
    }

    [Fact]
    public void An_event_batch_in_the_format_before_attributes_still_decodes()
    {
        // Hand-written in the first release's layout: envelope version 1, 13 body fields, an uncompressed body.
        byte[] body = HandBuilt.Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(13);
            w.Write("old-device");
            w.Write(new byte[16]);
            w.Write(1L);
            w.Write(2L);
            w.WriteArrayHeader(3);
            w.Write("player");
            w.Write("game-1");
            w.Write("game-2");
            w.Write(2);
            w.WriteArrayHeader(2); w.Write(1L); w.Write(1L);                       // sequence deltas
            w.WriteArrayHeader(2); w.Write(1_700_000_000_000L); w.Write(1000L);     // timestamp deltas
            w.WriteArrayHeader(2); w.Write(0); w.Write(0);                           // users
            w.WriteArrayHeader(2); w.Write(1); w.Write(2);                           // items
            w.WriteArrayHeader(2); w.Write(3); w.Write(5);                           // types
            w.WriteArrayHeader(2); w.Write(0L); w.Write(4.5);                        // values
            w.WriteArrayHeader(2); w.WriteArrayHeader(0); w.WriteArrayHeader(0);     // contexts
        });
        var batch = WireCodec.DecodeBatch(HandBuilt.Envelope((int)MessageKind.EventBatch, body));
        Assert.Equal(["game-1", "game-2"], batch.Events.Select(e => e.ItemId));
        Assert.Equal(4.5, batch.Events[1].Value);
    }
}
