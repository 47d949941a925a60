namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>An independent walk over a valid LZ4 block's sequences (no copying), to check the encoder's end-of-block rules.</summary>
internal static class Lz4Walk
{
    /// <summary>The final sequence's literal count and where (in the output) the last match starts, or -1 if none.</summary>
    public static (int LastLiterals, long LastMatchStart) EndRules(ReadOnlySpan<byte> block)
    {
        int input = 0;
        long output = 0;
        long lastMatchStart = -1;
        while (true)
        {
            int token = block[input++];
            int literals = Length(token >> 4, block, ref input);
            input += literals;
            output += literals;
            if (input == block.Length)
            {
                return (literals, lastMatchStart);
            }
            input += 2;
            int match = Length(token & 0xF, block, ref input) + 4;
            lastMatchStart = output;
            output += match;
        }
    }

    private static int Length(int nibble, ReadOnlySpan<byte> block, ref int input)
    {
        int length = nibble;
        if (nibble == 15)
        {
            byte next;
            do
            {
                next = block[input++];
                length += next;
            }
            while (next == 255);
        }
        return length;
    }
}
