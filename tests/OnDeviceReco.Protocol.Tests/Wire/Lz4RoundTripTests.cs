using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Property: Compress then Decompress returns the input, for noise and every kind of redundancy, 0..200k bytes.</summary>
public sealed class Lz4RoundTripTests
{
    private const int MaxSize = 200_000;

    private static byte[] RoundTrip(byte[] input)
    {
        var compressed = new byte[Lz4Block.MaxCompressedLength(input.Length)];
        int length = Lz4Block.Compress(input, compressed);
        Assert.InRange(length, 1, compressed.Length);
        var output = new byte[input.Length];
        Lz4Block.Decompress(compressed.AsSpan(0, length), output);
        return output;
    }

    [Fact]
    public void Random_inputs_of_every_kind_round_trip()
    {
        var rng = new Random(301);
        for (int i = 0; i < 500; i++)
        {
            int kind = i % Lz4Inputs.Kinds;
            byte[] input = Lz4Inputs.Any(rng, kind, Lz4Inputs.LogSize(rng, MaxSize));
            Assert.True(input.AsSpan().SequenceEqual(RoundTrip(input)), $"iteration {i}: kind {kind}, {input.Length} bytes");
        }
    }

    [Fact]
    public void Every_small_size_round_trips()
    {
        var rng = new Random(302);
        for (int size = 0; size <= 300; size++)
        {
            for (int kind = 0; kind < Lz4Inputs.Kinds; kind++)
            {
                byte[] input = Lz4Inputs.Any(rng, kind, size);
                Assert.True(input.AsSpan().SequenceEqual(RoundTrip(input)), $"kind {kind}, {size} bytes");
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Largest_inputs_round_trip(int kind)
    {
        var rng = new Random(303);
        byte[] input = Lz4Inputs.Any(rng, kind, MaxSize);
        Assert.True(input.AsSpan().SequenceEqual(RoundTrip(input)));
    }

    [Theory]
    [InlineData(60_000)]
    [InlineData(65_530)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_540)]
    [InlineData(100_000)]
    public void Repeats_near_and_beyond_the_64k_window_round_trip(int half)
    {
        byte[] input = Lz4Inputs.Doubled(new Random(half), half);
        Assert.True(input.AsSpan().SequenceEqual(RoundTrip(input)));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(MaxSize)]
    public void Runs_of_one_byte_are_many_times_smaller(int size)
    {
        var input = new byte[size];
        input.AsSpan().Fill(0x41);
        var compressed = new byte[Lz4Block.MaxCompressedLength(size)];
        int length = Lz4Block.Compress(input, compressed);
        // One match can cover the whole run: about one length byte per 255 input bytes.
        Assert.True(length <= size / 250 + 16, $"{size} bytes of one value compressed to {length}");
    }

    [Fact]
    public void Compressible_inputs_are_much_smaller()
    {
        var rng = new Random(304);
        for (int i = 0; i < 50; i++)
        {
            int size = rng.Next(10_000, MaxSize);
            foreach (int kind in new[] { 1, 2, 5 })
            {
                byte[] input = Lz4Inputs.Any(rng, kind, size);
                var compressed = new byte[Lz4Block.MaxCompressedLength(size)];
                int length = Lz4Block.Compress(input, compressed);
                Assert.True(length * 10 < size, $"kind {kind}: {size} bytes compressed to {length}");
            }
            byte[] words = Lz4Inputs.Words(rng, size);
            var wordsOut = new byte[Lz4Block.MaxCompressedLength(size)];
            int wordsLength = Lz4Block.Compress(words, wordsOut);
            Assert.True(wordsLength * 3 < size * 2, $"text-like input: {size} bytes compressed to {wordsLength}");
        }
    }

    [Fact]
    public void Noise_grows_no_more_than_MaxCompressedLength_allows()
    {
        var rng = new Random(305);
        for (int i = 0; i < 100; i++)
        {
            byte[] input = Lz4Inputs.Noise(rng, Lz4Inputs.LogSize(rng, MaxSize));
            var compressed = new byte[Lz4Block.MaxCompressedLength(input.Length)];
            int length = Lz4Block.Compress(input, compressed);
            Assert.InRange(length, 1, input.Length + input.Length / 255 + 16);
        }
    }

    [Fact]
    public void Compress_refuses_a_destination_smaller_than_the_bound()
    {
        var input = new byte[100];
        var small = new byte[Lz4Block.MaxCompressedLength(input.Length) - 1];
        Assert.Throws<ArgumentException>("destination", () => Lz4Block.Compress(input, small));
    }

    [Fact]
    public void Last_five_bytes_are_literals_and_last_match_starts_twelve_bytes_before_the_end()
    {
        // The reference decoder relies on these end-of-block rules; walk the sequences and check them.
        var rng = new Random(306);
        for (int i = 0; i < 300; i++)
        {
            byte[] input = Lz4Inputs.Any(rng, 1 + i % (Lz4Inputs.Kinds - 1), Lz4Inputs.LogSize(rng, 20_000));
            var compressed = new byte[Lz4Block.MaxCompressedLength(input.Length)];
            int length = Lz4Block.Compress(input, compressed);
            var (lastLiterals, lastMatchStart) = Lz4Walk.EndRules(compressed.AsSpan(0, length));
            Assert.True(input.Length < 13 || lastLiterals >= 5, $"{input.Length} bytes: block ends with {lastLiterals} literals");
            Assert.True(input.Length >= 13 || lastMatchStart < 0, $"{input.Length} bytes: a block under 13 bytes must be all literals");
            Assert.True(lastMatchStart < 0 || lastMatchStart <= input.Length - 12, $"{input.Length} bytes: last match starts at {lastMatchStart}");
        }
    }
}
