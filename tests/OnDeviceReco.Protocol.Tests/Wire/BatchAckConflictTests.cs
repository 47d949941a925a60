using MessagePack;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// The event acknowledgement's conflict report (highest sequence, conflicting sequence ids): an everyday answer stays
/// the five fields shipped devices read; a five-field answer from an older server decodes as "nothing to report";
/// fields after the seventh are skipped; hostile values are refused. And batch ids that change with the content, so
/// a restored store's new events over an old range never reuse an id the server has seen.
/// </summary>
public sealed class BatchAckConflictTests
{
    private static readonly Guid Id = Guid.Parse("0f0e0d0c-0b0a-0908-0706-050403020100");

    /// <summary>An acknowledgement of <paramref name="fields"/> fields: id, accepted through 20, stored 5, already 3, not replayed (as many as fit), then <paramref name="more"/>.</summary>
    private static byte[] Acknowledgement(int fields, HandBuilt.BodyWriter? more = null) =>
        HandBuilt.Acknowledgement(MessageKind.BatchAck, fields, [Id, 20L, 5, 3, false], more);

    private static HandBuilt.BodyWriter Report(long highest, params long[] conflicting) => (ref MessagePackWriter w) =>
    {
        w.Write(highest);
        w.WriteArrayHeader(conflicting.Length);
        foreach (long sequence in conflicting)
        {
            w.Write(sequence);
        }
    };

    [Fact]
    public void An_acknowledgement_with_conflicts_round_trips()
    {
        var ack = new BatchAck(Id, 20, 5, 3, false, 42, [11, 12, 19]);
        var decoded = WireCodec.DecodeAck(WireCodec.Encode(ack));
        Assert.Equal(ack, decoded);
        Assert.Equal([11L, 12L, 19L], decoded.ConflictingSequences);
        Assert.Equal(42, decoded.HighestSequence);
    }

    [Fact]
    public void An_everyday_acknowledgement_is_written_with_the_five_fields_shipped_devices_read()
    {
        Assert.Equal(5, FieldCount(WireCodec.Encode(new BatchAck(Id, 20, 20, 0, false))));
        Assert.Equal(7, FieldCount(WireCodec.Encode(new BatchAck(Id, 20, 20, 0, false, HighestSequence: 20))));
        Assert.Equal(7, FieldCount(WireCodec.Encode(new BatchAck(Id, 20, 19, 0, false, 20, [3]))));
    }

    [Fact]
    public void A_five_field_acknowledgement_from_an_older_server_decodes_with_nothing_to_report()
    {
        var ack = WireCodec.DecodeAck(Acknowledgement(5));
        Assert.Equal(new BatchAck(Id, 20, 5, 3, false), ack);
        Assert.Empty(ack.ConflictingSequences);
        Assert.Equal(0, ack.HighestSequence);
    }

    [Fact]
    public void Seven_fields_decode_and_fields_from_a_newer_server_are_skipped()
    {
        Assert.Equal(new BatchAck(Id, 20, 5, 3, false, 30, [12, 13]), WireCodec.DecodeAck(Acknowledgement(7, Report(30, 12, 13))));
        Assert.Equal(new BatchAck(Id, 20, 5, 3, false, 30), WireCodec.DecodeAck(Acknowledgement(6, (ref MessagePackWriter w) => w.Write(30L))));
        var newer = Acknowledgement(10, (ref MessagePackWriter w) =>
        {
            Report(30, 20)(ref w);
            w.Write("a field this device does not know");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.WriteNil();
            w.WriteMapHeader(0);
        });
        Assert.Equal(new BatchAck(Id, 20, 5, 3, false, 30, [20]), WireCodec.DecodeAck(newer));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "four fields", Acknowledgement(4) },
        { "a negative highest sequence", Acknowledgement(7, Report(-1, 12)) },
        { "conflicting ids going back", Acknowledgement(7, Report(30, 13, 12)) },
        { "a repeated conflicting id", Acknowledgement(7, Report(30, 12, 12)) },
        { "conflicting id 0", Acknowledgement(7, Report(30, 0)) },
        { "a negative conflicting id", Acknowledgement(7, Report(30, -5)) },
        { "a conflicting id after the batch", Acknowledgement(7, Report(30, 21)) },
        { "a string where the highest sequence goes", Acknowledgement(6, (ref MessagePackWriter w) => w.Write("30")) },
        { "a number where the conflicting ids go", Acknowledgement(7, (ref MessagePackWriter w) => { w.Write(30L); w.Write(12L); }) },
        { "a nil conflicting id", Acknowledgement(7, (ref MessagePackWriter w) => { w.Write(30L); w.WriteArrayHeader(1); w.WriteNil(); }) },
        { "50,001 conflicting ids declared", Acknowledgement(7, (ref MessagePackWriter w) => { w.Write(30L); w.WriteArrayHeader(50_001); w.Write(1L); }) },
        { "fewer fields than declared", Acknowledgement(7, (ref MessagePackWriter w) => w.Write(30L)) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_conflict_reports_are_refused(string what, byte[] message)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAck(message), what);
    }

    [Fact]
    public void A_batch_id_changes_with_the_content_over_the_same_range()
    {
        WireEvent Event(long sequence, string item, IReadOnlyDictionary<string, string>? context = null) =>
            new(sequence, 1_700_000_000_000 + sequence, "u", item, 3, 1.5, context ?? WireEvent.NoContext);
        var original = EventBatch.Create("d", [Event(11, "a"), Event(12, "b")]);
        var restoredStoreNumberingAgain = EventBatch.Create("d", [Event(11, "c"), Event(12, "b")]);

        Assert.Equal(original.BatchId, EventBatch.Create("d", [Event(11, "a"), Event(12, "b")]).BatchId);
        Assert.NotEqual(original.BatchId, restoredStoreNumberingAgain.BatchId);
        Assert.NotEqual(original.BatchId, EventBatch.Create("e", original.Events).BatchId);
        Assert.NotEqual(original.BatchId, EventBatch.Create("d", [original.Events[0] with { Value = 2.5 }, original.Events[1]]).BatchId);
        Assert.NotEqual(original.BatchId, EventBatch.Create("d", [original.Events[0] with { TimestampMs = 1 }, original.Events[1]]).BatchId);
        var one = new Dictionary<string, string> { ["request_id"] = "r", ["rank"] = "1" };
        Assert.Equal(EventBatch.Create("d", [Event(1, "a", one)]).BatchId, EventBatch.Create("d", [Event(1, "a", new Dictionary<string, string>(one))]).BatchId);
        Assert.NotEqual(EventBatch.Create("d", [Event(1, "a", one)]).BatchId,
            EventBatch.Create("d", [Event(1, "a", new Dictionary<string, string> { ["request_id"] = "r", ["rank"] = "2" })]).BatchId);
    }

    private static int FieldCount(byte[] message)
    {
        var body = Envelope.Open(message, MessageKind.BatchAck, WireLimits.Default);
        var reader = new MessagePackReader(body);
        return reader.ReadArrayHeader();
    }
}
