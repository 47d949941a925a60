using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// Decompress on damaged or hostile input throws <see cref="InvalidDataException"/> and nothing else, and never
/// writes outside the destination (checked with guard bytes around a destination carved from a larger buffer).
/// </summary>
public sealed class Lz4CorruptionTests
{
    private const int Guard = 64;
    private const byte GuardByte = 0xA5;

    /// <summary>Decompresses into a guarded slice; returns whether it succeeded. Fails on any other exception or a guard write.</summary>
    private static bool TryDecompress(ReadOnlySpan<byte> block, int declared, string because)
    {
        var buffer = new byte[declared + 2 * Guard];
        buffer.AsSpan().Fill(GuardByte);
        Exception? thrown = null;
        try
        {
            Lz4Block.Decompress(block, buffer.AsSpan(Guard, declared));
        }
        catch (Exception e)
        {
            thrown = e;
        }
        Assert.True(thrown is null or InvalidDataException, $"{because}: threw {thrown?.GetType().FullName}: {thrown}");
        Assert.True(buffer.AsSpan(0, Guard).IndexOfAnyExcept(GuardByte) < 0, $"{because}: wrote before the destination");
        Assert.True(buffer.AsSpan(Guard + declared).IndexOfAnyExcept(GuardByte) < 0, $"{because}: wrote after the destination");
        return thrown is null;
    }

    private static byte[] Compress(byte[] input)
    {
        var compressed = new byte[Lz4Block.MaxCompressedLength(input.Length)];
        return compressed.AsSpan(0, Lz4Block.Compress(input, compressed)).ToArray();
    }

    [Fact]
    public void Random_garbage_throws_only_InvalidDataException()
    {
        var rng = new Random(401);
        for (int i = 0; i < 5000; i++)
        {
            byte[] garbage = Lz4Inputs.Noise(rng, rng.Next(0, 300));
            int declared = rng.Next(3) switch { 0 => rng.Next(0, 16), 1 => rng.Next(0, 1000), _ => rng.Next(0, 100_000) };
            TryDecompress(garbage, declared, $"garbage {i} ({garbage.Length} bytes, {declared} declared)");
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_block_is_refused()
    {
        var rng = new Random(402);
        for (int kind = 0; kind < Lz4Inputs.Kinds; kind++)
        {
            byte[] input = Lz4Inputs.Any(rng, kind, 3000);
            byte[] block = Compress(input);
            Assert.True(TryDecompress(block, input.Length, "intact block"));
            for (int length = 0; length < block.Length; length++)
            {
                Assert.False(TryDecompress(block.AsSpan(0, length), input.Length, $"kind {kind}: prefix of {length}/{block.Length}"),
                    $"kind {kind}: prefix of {length}/{block.Length} bytes was accepted");
            }
        }
    }

    [Fact]
    public void Bit_flips_either_decode_or_throw_InvalidDataException()
    {
        var rng = new Random(403);
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = Lz4Inputs.Any(rng, rng.Next(Lz4Inputs.Kinds), rng.Next(1, 5000));
            byte[] block = Compress(input);
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                block[rng.Next(block.Length)] ^= (byte)(1 << rng.Next(8));
            }
            TryDecompress(block, input.Length, $"iteration {i}");
        }
    }

    [Fact]
    public void Valid_blocks_with_a_wrong_declared_size_are_refused()
    {
        var rng = new Random(404);
        for (int i = 0; i < 500; i++)
        {
            byte[] input = Lz4Inputs.Any(rng, rng.Next(Lz4Inputs.Kinds), rng.Next(0, 5000));
            byte[] block = Compress(input);
            int wrong = input.Length + (rng.Next(2) == 0 ? -rng.Next(1, input.Length + 1) : rng.Next(1, 1000));
            if (wrong >= 0)
            {
                Assert.False(TryDecompress(block, wrong, $"iteration {i}: {input.Length} as {wrong}"));
            }
        }
    }

    [Theory]
    [InlineData("", 0, "empty block")]
    [InlineData("", 10, "empty block")]
    [InlineData("10", 1, "literal missing")]
    [InlineData("1041", 0, "literal beyond the destination")]
    [InlineData("0000000000", 4, "offset 0")]
    [InlineData("10410200", 5, "offset past the output")]
    [InlineData("10410100", 5, "match without last literals")]
    [InlineData("104101", 5, "truncated offset")]
    [InlineData("1f410100", 100, "match length tail missing")]
    [InlineData("1f4101000a", 5, "match longer than the destination")]
    [InlineData("f0", 15, "literal length tail missing")]
    [InlineData("f0ffff", 600, "literal length tail runs out")]
    public void Hand_made_bad_blocks_are_refused(string hex, int declared, string why)
    {
        Assert.False(TryDecompress(Convert.FromHexString(hex), declared, why), why);
    }

    [Fact]
    public void A_length_tail_too_long_to_represent_is_refused_without_overflow()
    {
        // 0xF0 then ~8.5 million 0xFF bytes: the literal length passes int range unless it is checked as it grows.
        var block = new byte[1 + (int.MaxValue / 255) + 10];
        block.AsSpan().Fill(0xFF);
        block[0] = 0xF0;
        var exception = Assert.Throws<InvalidDataException>(() => Lz4Block.Decompress(block, new byte[16]));
        Assert.Contains("LZ4", exception.Message);
    }

    [Fact]
    public void Minimal_valid_blocks_decode()
    {
        Assert.True(TryDecompress([0x00], 0, "empty input"));
        var output = new byte[8];
        // "a" literal, then match offset 1 length 4 (run), then 3 literal "bcd".
        Lz4Block.Decompress(Convert.FromHexString("1061010030626364"), output);
        Assert.Equal("aaaaabcd"u8.ToArray(), output);
    }
}
