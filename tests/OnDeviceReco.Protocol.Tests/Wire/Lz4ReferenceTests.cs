using System.Text;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Blocks made by the reference lz4 tool (1.9, taken out of its frame) decode to their input.</summary>
public sealed class Lz4ReferenceTests
{
    private const string Ratings =
        "userId,movieId,rating,timestamp\n1,2294,2.0,1260759108\n1,2455,2.5,1260759113\n1,3671,3.0,1260759117\n"
        + "1,1339,3.5,1260759125\n1,1343,2.0,1260759131\n1,1371,2.5,1260759135\n1,2105,4.0,1260759139\n"
        + "1,31,2.5,1260759144\n1,1293,2.0,1260759148\n1,1263,2.0,1260759151\n1,1029,3.0,1260759179\n"
        + "1,1061,3.0,1260759182\n1,1129,2.0,1260759185\n1,1287,2.0,1260759187\n1,1953,4.0,1260759191\n";

    // lz4 -12 (high compression) of Ratings.
    private const string RatingsBlock =
        "f0267573657249642c6d6f76696549642c726174696e672c74696d657374616d700a312c323239342c322e302c3132363037353931"
        + "30381600753435352c322e351600b731330a312c333637312c332c00b731370a312c313333392c332c00213235160029343358002133"
        + "3116002937315800203335" + "6e00583130352c342c0010396e000a2a0020343440002a3239560021343816001a36160011356c00"
        + "39303239ae0021373916001a36c400203832160039313239420021383558002a3837160001f00037393533ae0050393139310a";

    // lz4 -1 of "ab"x10 + 'x'x1000 + bytes 0..255 + "ab"x10: overlapping matches, long length tails.
    private const string MixedBlock =
        "2e616202001f780100ffffffd7fbf1000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627"
        + "28292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e"
        + "5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293949596"
        + "9798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdce"
        + "cfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfefffc04506261626162";

    private static byte[] Mixed()
    {
        var bytes = new List<byte>();
        for (int i = 0; i < 10; i++)
        {
            bytes.AddRange("ab"u8.ToArray());
        }
        bytes.AddRange(Enumerable.Repeat((byte)'x', 1000));
        bytes.AddRange(Enumerable.Range(0, 256).Select(b => (byte)b));
        for (int i = 0; i < 10; i++)
        {
            bytes.AddRange("ab"u8.ToArray());
        }
        return [.. bytes];
    }

    [Fact]
    public void Reference_high_compression_block_decodes()
    {
        byte[] expected = Encoding.ASCII.GetBytes(Ratings);
        var output = new byte[expected.Length];
        Lz4Block.Decompress(Convert.FromHexString(RatingsBlock), output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Reference_block_with_overlapping_matches_decodes()
    {
        byte[] expected = Mixed();
        var output = new byte[expected.Length];
        Lz4Block.Decompress(Convert.FromHexString(MixedBlock), output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Reference_blocks_with_a_wrong_declared_size_are_refused()
    {
        byte[] block = Convert.FromHexString(RatingsBlock);
        Assert.Throws<InvalidDataException>(() => Lz4Block.Decompress(block, new byte[Ratings.Length - 1]));
        Assert.Throws<InvalidDataException>(() => Lz4Block.Decompress(block, new byte[Ratings.Length + 1]));
    }

    [Fact]
    public void Our_blocks_of_the_same_inputs_decode_the_same()
    {
        foreach (byte[] input in new[] { Encoding.ASCII.GetBytes(Ratings), Mixed() })
        {
            var compressed = new byte[Lz4Block.MaxCompressedLength(input.Length)];
            int length = Lz4Block.Compress(input, compressed);
            var output = new byte[input.Length];
            Lz4Block.Decompress(compressed.AsSpan(0, length), output);
            Assert.Equal(input, output);
        }
    }
}
