using System.Text;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>Random valid Unicode strings measured in UTF-8 bytes: ASCII, accents, CJK, emoji (surrogate pairs), ZWJ sequences.</summary>
internal static class RandomText
{
    private static readonly string[] Clusters = ["👨‍👩‍👧", "🏳️‍🌈", "é", "\u0000", "\t", " ", "🎬", "🍿", "Ω", "ß", "ﬁ", "\uFEFF", "\uFFFD"];

    /// <summary>A string of <paramref name="minBytes"/>..<paramref name="maxBytes"/> UTF-8 bytes (never a lone surrogate).</summary>
    public static string Next(Random rng, int minBytes, int maxBytes)
    {
        int target = rng.Next(minBytes, maxBytes + 1);
        int style = rng.Next(5);
        var text = new StringBuilder();
        int bytes = 0;
        int misses = 0;
        while (bytes < target && misses < 4)
        {
            string piece = Piece(rng, style);
            int size = Encoding.UTF8.GetByteCount(piece);
            if (bytes + size > target)
            {
                misses++;
                continue;
            }
            text.Append(piece);
            bytes += size;
        }
        while (bytes < minBytes)
        {
            text.Append((char)rng.Next('a', 'z' + 1));
            bytes++;
        }
        return text.ToString();
    }

    /// <summary>A string of exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
    public static string OfExactBytes(Random rng, int bytes)
    {
        string text = Next(rng, 0, bytes);
        return text + new string('x', bytes - Encoding.UTF8.GetByteCount(text));
    }

    private static string Piece(Random rng, int style) => style switch
    {
        0 => ((char)rng.Next('0', '9' + 1)).ToString(),
        1 => ((char)rng.Next(0x20, 0x7F)).ToString(),
        2 => char.ConvertFromUtf32(rng.Next(0x1F300, 0x1FAFF)),
        _ => rng.Next(7) switch
        {
            0 => ((char)rng.Next(0x20, 0x7F)).ToString(),
            1 => ((char)rng.Next(0xA0, 0x800)).ToString(),
            2 => ((char)rng.Next(0x4E00, 0xA000)).ToString(),
            3 => ((char)rng.Next(0xE000, 0xFFFE)).ToString(),
            4 => char.ConvertFromUtf32(rng.Next(0x10000, 0x110000)),
            5 => char.ConvertFromUtf32(rng.Next(0x1F300, 0x1FAFF)),
            _ => Clusters[rng.Next(Clusters.Length)],
        },
    };
}
