using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;
using Xunit.Abstractions;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// A declared size inside the limits but far beyond what the compressed body could expand to (LZ4 expands at most
/// ~255x) should be refused before the output buffer is allocated, or a few bytes still cost the whole limit.
/// </summary>
public sealed class DecompressionBombTests(ITestOutputHelper output)
{
    private const long OneMegabyte = 1024 * 1024;
    private static readonly byte[] TinyBlock = [0x10, 0x41];

    private long AllocatedByRejecting(MessageKind kind, long declared)
    {
        byte[] message = HandBuilt.Envelope((int)kind, TinyBlock, codec: 1, decodedLength: declared);
        var decode = AllMessages.DecoderOf(kind);
        WireAssert.Rejects(() => decode(message), "warm-up");
        long before = GC.GetAllocatedBytesForCurrentThread();
        WireAssert.Rejects(() => decode(message), $"{kind} declaring {declared}");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{kind}: {message.Length}-byte message declaring {declared} bytes allocated {allocated} bytes before rejection");
        return allocated;
    }

    [Fact]
    public void A_tiny_batch_declaring_the_full_decoded_limit_is_refused_without_allocating_it()
    {
        Assert.True(AllocatedByRejecting(MessageKind.EventBatch, WireLimits.Default.MaxDecodedBytes) < OneMegabyte);
    }

    [Fact]
    public void A_tiny_package_declaring_the_full_package_limit_is_refused_without_allocating_it()
    {
        Assert.True(AllocatedByRejecting(MessageKind.ModelPackage, WireLimits.Default.MaxPackageBytes) < OneMegabyte);
    }
}
