using System.Buffers;
using BenchmarkDotNet.Attributes;
using MessagePack;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Encoding a device's batch: the protocol's columnar, LZ4-compressed batch against the raw floor of writing each
/// event as a plain MessagePack array (no string table, no compression). Bytes/event is the wire cost, for the
/// events with every field as tracked and as the SDK sends them by default (<see cref="SyncedFields.Minimal"/>: no
/// value, the time to the hour).
/// </summary>
[MemoryDiagnoser]
[BytesPerEventColumn]
public class WireEncoding
{
    private EventBatch _batch = null!;
    private EventBatch _sentByDefault = null!;
    private byte[] _encoded = [];

    [Params(150, 5_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = WireSamples.MovieLensBatch(Events);
        _sentByDefault = WireSamples.MovieLensBatch(Events, sent: SyncedFields.Minimal);
        _encoded = WireCodec.Encode(_batch);
    }

    [Benchmark(Baseline = true)]
    public int RowWiseMessagePack() => RowWise(_batch).Length;

    [Benchmark]
    public int Encode() => WireCodec.Encode(_batch).Length;

    [Benchmark]
    public int EncodeAsSentByDefault() => WireCodec.Encode(_sentByDefault).Length;

    [Benchmark]
    public int Decode() => WireCodec.DecodeBatch(_encoded).Events.Count;

    /// <summary>Size per event of what <paramref name="method"/> produces for a batch of <paramref name="events"/>.</summary>
    public static double BytesPerEvent(string method, int events)
    {
        var batch = WireSamples.MovieLensBatch(events, sent: method == nameof(EncodeAsSentByDefault) ? SyncedFields.Minimal : null);
        int bytes = method == nameof(RowWiseMessagePack) ? RowWise(batch).Length : WireCodec.Encode(batch).Length;
        return (double)bytes / events;
    }

    private static byte[] RowWise(EventBatch batch)
    {
        var buffer = new ArrayBufferWriter<byte>(batch.Events.Count * 40);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(batch.Events.Count);
        foreach (var e in batch.Events)
        {
            writer.WriteArrayHeader(6);
            writer.Write(e.Sequence);
            writer.Write(e.TimestampMs);
            writer.Write(e.UserId);
            writer.Write(e.ItemId);
            writer.Write(e.Type);
            writer.Write(e.Value);
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
