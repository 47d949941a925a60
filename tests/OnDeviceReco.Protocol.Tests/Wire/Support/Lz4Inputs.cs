namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>Inputs for the LZ4 codec: incompressible noise and several kinds of redundancy.</summary>
internal static class Lz4Inputs
{
    public static byte[] Noise(Random rng, int size)
    {
        var bytes = new byte[size];
        rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Runs of one byte, of random lengths (short runs to very long ones).</summary>
    public static byte[] Runs(Random rng, int size)
    {
        var bytes = new byte[size];
        int i = 0;
        while (i < size)
        {
            int run = Math.Min(size - i, rng.Next(3) == 0 ? rng.Next(1, 8) : rng.Next(1, 5000));
            bytes.AsSpan(i, run).Fill((byte)rng.Next(256));
            i += run;
        }
        return bytes;
    }

    /// <summary>One random pattern of 1..300 bytes repeated.</summary>
    public static byte[] Pattern(Random rng, int size)
    {
        byte[] pattern = Noise(rng, rng.Next(1, 301));
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = pattern[i % pattern.Length];
        }
        return bytes;
    }

    /// <summary>Chunks copied from earlier in the input at random distances, some beyond LZ4's 64 KiB window, with noise between.</summary>
    public static byte[] Repeats(Random rng, int size)
    {
        var bytes = new byte[size];
        int i = 0;
        while (i < size)
        {
            int chunk = Math.Min(size - i, rng.Next(1, 2000));
            if (i > 16 && rng.Next(3) != 0)
            {
                int from = rng.Next(0, i);
                for (int j = 0; j < chunk; j++)
                {
                    bytes[i + j] = bytes[from + j];
                }
            }
            else
            {
                rng.NextBytes(bytes.AsSpan(i, chunk));
            }
            i += chunk;
        }
        return bytes;
    }

    /// <summary>A random block then the same block again: with a block over 64 KiB the copy is out of LZ4's reach.</summary>
    public static byte[] Doubled(Random rng, int half)
    {
        byte[] block = Noise(rng, half);
        return [.. block, .. block];
    }

    /// <summary>Text-like: words from a small vocabulary.</summary>
    public static byte[] Words(Random rng, int size)
    {
        string[] vocabulary = ["user", "item", "rate", "click", "view", "1234", "request_id", "rank", "source", "model", " ", ",", "\n"];
        var bytes = new List<byte>(size);
        while (bytes.Count < size)
        {
            bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(vocabulary[rng.Next(vocabulary.Length)]));
        }
        return bytes.Take(size).ToArray();
    }

    /// <summary>One of the generators, by number.</summary>
    public static byte[] Any(Random rng, int kind, int size) => kind switch
    {
        0 => Noise(rng, size),
        1 => Runs(rng, size),
        2 => Pattern(rng, size),
        3 => Repeats(rng, size),
        4 => Words(rng, size),
        _ => new byte[size],
    };

    public const int Kinds = 6;

    /// <summary>Sizes spread over 0..max on a log scale, so small sizes (and the format's 12-byte edge) come up often.</summary>
    public static int LogSize(Random rng, int max) =>
        rng.Next(4) == 0 ? rng.Next(0, 40) : (int)Math.Min(max, Math.Exp(rng.NextDouble() * Math.Log(max + 1)));
}
