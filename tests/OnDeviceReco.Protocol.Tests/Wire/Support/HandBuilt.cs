using System.Buffers;
using System.Text;
using MessagePack;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>Messages written field by field with <see cref="MessagePackWriter"/>, to say things the encoder never would.</summary>
internal static class HandBuilt
{
    public delegate void BodyWriter(ref MessagePackWriter writer);

    public static byte[] Write(BodyWriter write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An envelope with every field chosen: <c>[magic, kind, version, codec, decoded length, body]</c>.</summary>
    public static byte[] Envelope(
        int kind,
        ReadOnlySpan<byte> body,
        int codec = 0,
        long? decodedLength = null,
        int version = 1,
        string magic = "ODR",
        int fields = 6)
    {
        byte[] copy = body.ToArray();
        long declared = decodedLength ?? copy.Length;
        return Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(fields);
            w.Write(magic);
            w.Write(kind);
            w.Write(version);
            w.Write(codec);
            w.Write(declared);
            if (fields > 5)
            {
                w.Write(copy);
            }
            for (int i = 6; i < fields; i++)
            {
                w.WriteNil();
            }
        });
    }

    /// <summary>A model package body with raw (possibly hostile) file names.</summary>
    public static byte[] PackageBody(long version, params (string Name, byte[] Content)[] files) =>
        Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write(version);
            w.WriteMapHeader(files.Length);
            foreach (var (name, content) in files)
            {
                w.Write(name);
                w.Write(content);
            }
        });

    public static byte[] SealPackage(params (string Name, byte[] Content)[] files) =>
        Protocol.Wire.Envelope.Seal(MessageKind.ModelPackage, PackageBody(1, files), compress: false);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// An acknowledgement of <paramref name="kind"/> declaring <paramref name="fields"/> fields: as many of
    /// <paramref name="leading"/> (ids, numbers, flags) as fit, then whatever <paramref name="more"/> writes.
    /// </summary>
    public static byte[] Acknowledgement(MessageKind kind, int fields, object[] leading, BodyWriter? more = null) =>
        Protocol.Wire.Envelope.Seal(kind, Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(fields);
            foreach (object field in leading.Take(fields))
            {
                switch (field)
                {
                    case Guid id: w.Write(id.ToByteArray()); break;
                    case long n: w.Write(n); break;
                    case int n: w.Write(n); break;
                    case bool flag: w.Write(flag); break;
                    default: throw new ArgumentException(field.GetType().Name);
                }
            }
            more?.Invoke(ref w);
        }), compress: false);
}
