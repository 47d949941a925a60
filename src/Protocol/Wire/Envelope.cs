using System.Buffers;
using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// Every message is <c>["ODR", kind, format version, codec, decoded length, body]</c>: the kind and version are
/// checked before the body is read, and the decoded length is checked against the limits before anything is
/// allocated for it, so a few hostile bytes cannot ask for gigabytes.
/// </summary>
internal static class Envelope
{
    public const string Magic = "ODR";
    public const int FormatVersion = 1;
    private const int CodecNone = 0;
    private const int CodecLz4 = 1;
    private const int Fields = 6;
    private const long MaxLz4Expansion = 255;

    public static byte[] Seal(MessageKind kind, ReadOnlySpan<byte> body, bool compress)
    {
        byte[]? compressed = null;
        int compressedLength = 0;
        if (compress)
        {
            compressed = ArrayPool<byte>.Shared.Rent(Lz4Block.MaxCompressedLength(body.Length));
            compressedLength = Lz4Block.Compress(body, compressed);
        }
        try
        {
            var buffer = new ArrayBufferWriter<byte>(body.Length + 32);
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(Fields);
            writer.Write(Magic);
            writer.Write((int)kind);
            writer.Write(FormatVersion);
            writer.Write(compress ? CodecLz4 : CodecNone);
            writer.Write(body.Length);
            writer.Write(compress ? compressed.AsSpan(0, compressedLength) : body);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }
        }
    }

    /// <summary>The decoded body of a message of <paramref name="expected"/> kind.</summary>
    /// <exception cref="ProtocolFormatException">When the envelope is damaged, of another kind or version, or over the limits.</exception>
    public static ReadOnlyMemory<byte> Open(ReadOnlyMemory<byte> message, MessageKind expected, WireLimits limits)
    {
        if (message.Length > limits.MaxDecodedBytes && expected != MessageKind.ModelPackage)
        {
            throw new ProtocolFormatException($"Message is {message.Length} bytes; the limit is {limits.MaxDecodedBytes}.");
        }
        var reader = new MessagePackReader(message);
        WireRead.ExpectArray(ref reader, Fields, "envelope");
        if (WireRead.String(ref reader, 8, "magic") != Magic)
        {
            throw new ProtocolFormatException("Not an OnDeviceReco message (bad magic).");
        }
        int kind = reader.ReadInt32();
        if (kind != (int)expected)
        {
            throw new ProtocolFormatException($"Expected a {expected} message, got kind {kind}.");
        }
        int version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new ProtocolFormatException($"Format version {version} is not supported (this build reads {FormatVersion}).");
        }
        int codec = reader.ReadInt32();
        int decodedLength = reader.ReadInt32();
        long limit = expected == MessageKind.ModelPackage ? limits.MaxPackageBytes : limits.MaxDecodedBytes;
        if (decodedLength < 0 || decodedLength > limit)
        {
            throw new ProtocolFormatException($"Declared body size {decodedLength} is outside 0..{limit}.");
        }
        var body = reader.ReadBytes() ?? throw new ProtocolFormatException("Body is nil.");
        if (!reader.End)
        {
            throw new ProtocolFormatException("Trailing bytes after the message.");
        }
        switch (codec)
        {
            case CodecNone:
                if (body.Length != decodedLength)
                {
                    throw new ProtocolFormatException($"Body is {body.Length} bytes, {decodedLength} declared.");
                }
                return AsMemory(body);
            case CodecLz4 when expected == MessageKind.ModelPackage:
                throw new ProtocolFormatException("Model packages are never compressed.");
            case CodecLz4:
                // LZ4 expands at most ~255× (a token and a run of 255-bytes per 255 output bytes): a body that
                // cannot decode to the declared size is refused before the output buffer is allocated.
                if (decodedLength > body.Length * MaxLz4Expansion + 16)
                {
                    throw new ProtocolFormatException($"A {body.Length}-byte LZ4 body cannot decode to the declared {decodedLength} bytes.");
                }
                var decoded = new byte[decodedLength];
                try
                {
                    Lz4Block.Decompress(AsMemory(body).Span, decoded);
                }
                catch (InvalidDataException e)
                {
                    throw new ProtocolFormatException(e.Message, e);
                }
                return decoded;
            default:
                throw new ProtocolFormatException($"Unknown compression codec {codec}.");
        }
    }

    private static ReadOnlyMemory<byte> AsMemory(ReadOnlySequence<byte> sequence) =>
        sequence.IsSingleSegment ? sequence.First : sequence.ToArray();
}
