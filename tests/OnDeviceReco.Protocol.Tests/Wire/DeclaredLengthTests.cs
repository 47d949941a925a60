using System.Diagnostics;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>A few bytes declaring a huge decoded body are refused quickly, before anything is allocated for it.</summary>
public sealed class DeclaredLengthTests
{
    private const long OneMegabyte = 1024 * 1024;
    private static readonly byte[] TinyBlock = [0x10, 0x41];

    public static TheoryData<MessageKind, long> HugeDeclarations()
    {
        var data = new TheoryData<MessageKind, long>();
        foreach (MessageKind kind in Enum.GetValues<MessageKind>())
        {
            data.Add(kind, int.MaxValue);
            data.Add(kind, 1L << 30);
            data.Add(kind, WireLimits.Default.MaxPackageBytes + 1L);
        }
        data.Add(MessageKind.EventBatch, WireLimits.Default.MaxDecodedBytes + 1L);
        data.Add(MessageKind.BatchAck, WireLimits.Default.MaxDecodedBytes + 1L);
        return data;
    }

    [Theory]
    [MemberData(nameof(HugeDeclarations))]
    public void A_tiny_body_declaring_a_huge_size_is_rejected_without_allocating(MessageKind kind, long declared)
    {
        foreach (int codec in new[] { 1, 0 })
        {
            byte[] message = HandBuilt.Envelope((int)kind, TinyBlock, codec: codec, decodedLength: declared);
            Func<ReadOnlyMemory<byte>, object> decode = AllMessages.DecoderOf(kind);
            WireAssert.Rejects(() => decode(message), "warm-up");

            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            var e = WireAssert.Rejects(() => decode(message), $"{kind} declaring {declared} (codec {codec})");
            clock.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Contains("Declared body size", e.Message, StringComparison.Ordinal);
            Assert.True(allocated < OneMegabyte, $"{kind} declaring {declared}: allocated {allocated} bytes");
            Assert.True(clock.ElapsedMilliseconds < 500, $"{kind} declaring {declared}: took {clock.ElapsedMilliseconds} ms");
        }
    }

    [Fact]
    public void Huge_declared_counts_inside_a_small_body_are_rejected_without_allocating()
    {
        // Array headers of 2^31-1 entries for the string table, and a count of int.MaxValue events.
        var body = BatchBody.Sample();
        body.Count = int.MaxValue;
        body.Last = long.MaxValue;
        byte[] hugeCount = body.Seal(compress: false);
        byte[] hugeTable = HandBuilt.Write((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteArrayHeader(13);
            w.Write("device");
            w.Write(new byte[16]);
            w.Write(1L);
            w.Write(2L);
            w.WriteArrayHeader(int.MaxValue);
        });
        byte[] hugeTableMessage = Envelope.Seal(MessageKind.EventBatch, hugeTable, compress: false);
        foreach (byte[] message in new[] { hugeCount, hugeTableMessage })
        {
            WireAssert.Rejects(() => WireCodec.DecodeBatch(message), "warm-up");
            long before = GC.GetAllocatedBytesForCurrentThread();
            WireAssert.Rejects(() => WireCodec.DecodeBatch(message), "huge header");
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < OneMegabyte, $"allocated {allocated} bytes");
        }
    }
}
