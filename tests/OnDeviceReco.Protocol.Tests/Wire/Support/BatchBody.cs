using MessagePack;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>
/// An event batch body as its columns, editable before writing: start from a real batch, break one thing, seal it.
/// Written exactly as the encoder writes it (a test checks the bytes match), so only the edit differs.
/// </summary>
internal sealed class BatchBody
{
    public int Fields { get; set; } = 13;
    public byte[]? DeviceId { get; set; }
    public byte[]? BatchId { get; set; }
    public long First { get; set; }
    public long Last { get; set; }
    public List<byte[]> Strings { get; } = [];
    public long Count { get; set; }
    public List<long> SequenceDeltas { get; } = [];
    public List<long> TimeDeltas { get; } = [];
    public List<long> Users { get; } = [];
    public List<long> Items { get; } = [];
    public List<long> Types { get; } = [];
    public List<double> Values { get; } = [];
    public List<List<long>> Contexts { get; } = [];

    public static BatchBody From(EventBatch batch)
    {
        var body = new BatchBody
        {
            DeviceId = HandBuilt.Utf8(batch.DeviceId),
            BatchId = batch.BatchId.ToByteArray(),
            First = batch.FirstSequence,
            Last = batch.LastSequence,
            Count = batch.Events.Count,
        };
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int IndexOf(string text)
        {
            if (!index.TryGetValue(text, out int i))
            {
                i = index.Count;
                index.Add(text, i);
                body.Strings.Add(HandBuilt.Utf8(text));
            }
            return i;
        }
        foreach (var e in batch.Events)
        {
            body.Users.Add(IndexOf(e.UserId));
            body.Items.Add(IndexOf(e.ItemId));
            body.Contexts.Add(e.Context.SelectMany(pair => new long[] { IndexOf(pair.Key), IndexOf(pair.Value) }).ToList());
        }
        long previousSequence = batch.FirstSequence - 1, previousTime = 0;
        foreach (var e in batch.Events)
        {
            body.SequenceDeltas.Add(e.Sequence - previousSequence);
            body.TimeDeltas.Add(e.TimestampMs - previousTime);
            body.Types.Add(e.Type);
            body.Values.Add(e.Value);
            previousSequence = e.Sequence;
            previousTime = e.TimestampMs;
        }
        return body;
    }

    /// <summary>A small valid batch to start edits from: 3 events, 2 users, contexts.</summary>
    public static EventBatch SampleBatch() => EventBatch.Create("device-1",
    [
        new WireEvent(10, 1_700_000_000_000, "alice", "item-1", 7, 0, new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r1", [WireEvent.RankKey] = "0" }),
        new WireEvent(11, 1_700_000_000_500, "alice", "item-2", 2, 0, new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r1" }),
        new WireEvent(13, 1_700_000_060_000, "bob", "item-1", 5, 4.5, WireEvent.NoContext),
    ]);

    public static BatchBody Sample() => From(SampleBatch());

    public byte[] Write() => HandBuilt.Write((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(Fields);
        WriteStringOrNil(ref w, DeviceId);
        if (BatchId is null)
        {
            w.WriteNil();
        }
        else
        {
            w.Write(BatchId);
        }
        w.Write(First);
        w.Write(Last);
        w.WriteArrayHeader(Strings.Count);
        foreach (byte[] text in Strings)
        {
            w.WriteString(text);
        }
        w.Write(Count);
        WriteColumn(ref w, SequenceDeltas);
        WriteColumn(ref w, TimeDeltas);
        WriteColumn(ref w, Users);
        WriteColumn(ref w, Items);
        WriteColumn(ref w, Types);
        w.WriteArrayHeader(Values.Count);
        foreach (double value in Values)
        {
            WireRead.WriteCompact(ref w, value);
        }
        w.WriteArrayHeader(Contexts.Count);
        foreach (var context in Contexts)
        {
            WriteColumn(ref w, context);
        }
    });

    /// <summary>Sealed in an envelope as the encoder does (LZ4) or with the body stored as is.</summary>
    public byte[] Seal(bool compress = true) => Envelope.Seal(MessageKind.EventBatch, Write(), compress);

    private static void WriteStringOrNil(ref MessagePackWriter w, byte[]? utf8)
    {
        if (utf8 is null)
        {
            w.WriteNil();
        }
        else
        {
            w.WriteString(utf8);
        }
    }

    private static void WriteColumn(ref MessagePackWriter w, List<long> column)
    {
        w.WriteArrayHeader(column.Count);
        foreach (long value in column)
        {
            w.Write(value);
        }
    }
}
