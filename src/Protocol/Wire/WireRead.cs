using System.Buffers;
using System.Text;
using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>Checked reads shared by the decoders: counts and string sizes are bounded before anything is allocated.</summary>
internal static class WireRead
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void ExpectArray(ref MessagePackReader reader, int count, string what)
    {
        int actual = reader.ReadArrayHeader();
        if (actual != count)
        {
            throw new ProtocolFormatException($"{what}: expected {count} fields, found {actual}.");
        }
    }

    public static int ArrayOf(ref MessagePackReader reader, int max, string what)
    {
        int count = reader.ReadArrayHeader();
        if (count > max)
        {
            throw new ProtocolFormatException($"{what}: {count} entries; the limit is {max}.");
        }
        return count;
    }

    public static int MapOf(ref MessagePackReader reader, int max, string what)
    {
        int count = reader.ReadMapHeader();
        if (count > max)
        {
            throw new ProtocolFormatException($"{what}: {count} entries; the limit is {max}.");
        }
        return count;
    }

    /// <summary>A non-nil, strictly valid UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public static string String(ref MessagePackReader reader, int maxBytes, string what)
    {
        var raw = reader.ReadStringSequence() ?? throw new ProtocolFormatException($"{what}: nil where a string is required.");
        if (raw.Length > maxBytes)
        {
            throw new ProtocolFormatException($"{what}: {raw.Length} bytes; the limit is {maxBytes}.");
        }
        try
        {
            return raw.IsSingleSegment ? StrictUtf8.GetString(raw.FirstSpan) : StrictUtf8.GetString(raw.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtocolFormatException($"{what}: not valid UTF-8.", e);
        }
    }

    public static Guid Guid(ref MessagePackReader reader, string what)
    {
        var raw = reader.ReadBytes() ?? throw new ProtocolFormatException($"{what}: nil.");
        if (raw.Length != 16)
        {
            throw new ProtocolFormatException($"{what}: {raw.Length} bytes, expected 16.");
        }
        Span<byte> bytes = stackalloc byte[16];
        raw.CopyTo(bytes);
        return new Guid(bytes);
    }

    public static double FiniteDouble(ref MessagePackReader reader, string what)
    {
        double value = reader.ReadDouble();
        if (!double.IsFinite(value))
        {
            throw new ProtocolFormatException($"{what}: {value} is not a finite number.");
        }
        return value;
    }

    /// <summary>Writes a number in its smallest exact MessagePack form: an integer, a float32 or a float64.</summary>
    public static void WriteCompact(ref MessagePackWriter writer, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && !(value == 0 && double.IsNegative(value)))
        {
            writer.Write((long)value);
        }
        else if ((double)(float)value == value)
        {
            writer.Write((float)value);
        }
        else
        {
            writer.Write(value);
        }
    }
}
