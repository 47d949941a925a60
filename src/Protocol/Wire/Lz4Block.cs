using System.Buffers.Binary;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// The LZ4 block format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md), compressor and a
/// bounds-checked decompressor. Written here rather than taken from MessagePack's serializer because that
/// entry point drags MessagePack's dynamic resolvers (and their trim/AOT warnings) into the device library.
/// </summary>
internal static class Lz4Block
{
    private const int MinMatch = 4;
    private const int HashBits = 14;
    private const int MaxOffset = 65_535;
    // The format requires the last match to start at least 12 bytes before the end and the last 5 bytes to be literals.
    private const int EndMargin = 12;
    private const int LastLiterals = 5;

    /// <summary>Largest compressed size of <paramref name="length"/> input bytes (incompressible input grows slightly).</summary>
    public static int MaxCompressedLength(int length) => length + length / 255 + 16;

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
        {
            throw new ArgumentException("Destination is smaller than MaxCompressedLength(source.Length).", nameof(destination));
        }
        Span<int> table = stackalloc int[1 << HashBits];
        table.Fill(-1);
        int output = 0;
        int anchor = 0;
        int position = 0;
        int matchLimit = source.Length - EndMargin;
        while (position < matchLimit)
        {
            uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
            int slot = (int)((sequence * 2654435761u) >> (32 - HashBits));
            int candidate = table[slot];
            table[slot] = position;
            if (candidate < 0 || position - candidate > MaxOffset
                || BinaryPrimitives.ReadUInt32LittleEndian(source[candidate..]) != sequence)
            {
                position++;
                continue;
            }
            int length = MinMatch;
            int maxLength = source.Length - LastLiterals - position;
            while (length < maxLength && source[candidate + length] == source[position + length])
            {
                length++;
            }
            output = WriteSequence(source[anchor..position], position - candidate, length, destination, output);
            position += length;
            anchor = position;
        }
        return WriteLastLiterals(source[anchor..], destination, output);
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> into exactly <paramref name="destination"/>.
    /// Never reads or writes out of bounds, whatever the input.
    /// </summary>
    /// <exception cref="InvalidDataException">When the input is not a valid block of exactly that size.</exception>
    public static void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int input = 0;
        int output = 0;
        while (true)
        {
            if (input >= source.Length)
            {
                throw Corrupt("ends before its last literals");
            }
            int token = source[input++];
            int literals = ReadLength(token >> 4, source, ref input);
            if (literals > source.Length - input || literals > destination.Length - output)
            {
                throw Corrupt("literal run overruns the buffer");
            }
            source.Slice(input, literals).CopyTo(destination[output..]);
            input += literals;
            output += literals;
            if (input == source.Length)
            {
                if (output != destination.Length)
                {
                    throw Corrupt($"decompressed to {output} bytes, {destination.Length} declared");
                }
                return;
            }
            if (source.Length - input < 2)
            {
                throw Corrupt("truncated match offset");
            }
            int offset = BinaryPrimitives.ReadUInt16LittleEndian(source[input..]);
            input += 2;
            if (offset == 0 || offset > output)
            {
                throw Corrupt("match offset points outside the output");
            }
            int length = ReadLength(token & 0xF, source, ref input) + MinMatch;
            if (length > destination.Length - output)
            {
                throw Corrupt("match overruns the declared size");
            }
            // Byte by byte: matches may overlap their own output (offset < length), which is how runs are encoded.
            int from = output - offset;
            for (int i = 0; i < length; i++)
            {
                destination[output + i] = destination[from + i];
            }
            output += length;
        }
    }

    private static int ReadLength(int nibble, ReadOnlySpan<byte> source, ref int input)
    {
        int length = nibble;
        if (nibble != 15)
        {
            return length;
        }
        while (true)
        {
            if (input >= source.Length)
            {
                throw Corrupt("truncated length");
            }
            int next = source[input++];
            length += next;
            if (length > Array.MaxLength)
            {
                throw Corrupt("length too large");
            }
            if (next != 255)
            {
                return length;
            }
        }
    }

    private static int WriteSequence(ReadOnlySpan<byte> literals, int offset, int matchLength, Span<byte> destination, int output)
    {
        int tokenAt = output++;
        int literalNibble = Math.Min(literals.Length, 15);
        int matchNibble = Math.Min(matchLength - MinMatch, 15);
        destination[tokenAt] = (byte)((literalNibble << 4) | matchNibble);
        output = WriteLengthTail(literals.Length, destination, output);
        literals.CopyTo(destination[output..]);
        output += literals.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[output..], (ushort)offset);
        output += 2;
        return WriteLengthTail(matchLength - MinMatch, destination, output);
    }

    private static int WriteLastLiterals(ReadOnlySpan<byte> literals, Span<byte> destination, int output)
    {
        destination[output++] = (byte)(Math.Min(literals.Length, 15) << 4);
        output = WriteLengthTail(literals.Length, destination, output);
        literals.CopyTo(destination[output..]);
        return output + literals.Length;
    }

    private static int WriteLengthTail(int length, Span<byte> destination, int output)
    {
        if (length < 15)
        {
            return output;
        }
        length -= 15;
        while (length >= 255)
        {
            destination[output++] = 255;
            length -= 255;
        }
        destination[output++] = (byte)length;
        return output;
    }

    private static InvalidDataException Corrupt(string why) => new($"LZ4 block is corrupt: {why}.");
}
