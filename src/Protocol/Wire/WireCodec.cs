using System.Buffers;
using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// Encodes and decodes the sync protocol's messages (MessagePack inside a versioned envelope; event batches
/// LZ4-compressed). Decoders never trust the input: every count and size is bounded by <see cref="WireLimits"/>
/// before allocation, and anything malformed becomes a <see cref="ProtocolFormatException"/>.
/// Uses only MessagePack's reader and writer, so it is trim- and AOT-safe.
/// </summary>
public static class WireCodec
{
    /// <summary>The HTTP content type of every message.</summary>
    public const string ContentType = "application/x-msgpack";

    /// <summary>Encodes a batch, compressed.</summary>
    /// <exception cref="ArgumentException">When the batch breaks a rule the decoder enforces (so it would be refused anyway).</exception>
    public static byte[] Encode(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EnsureEncodable(batch);
        var body = new ArrayBufferWriter<byte>(batch.Events.Count * 24 + 256);
        var writer = new MessagePackWriter(body);
        EventBatchFormat.Write(ref writer, batch);
        writer.Flush();
        return Envelope.Seal(MessageKind.EventBatch, body.WrittenSpan, compress: true);
    }

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid batch within <paramref name="limits"/>.</exception>
    public static EventBatch DecodeBatch(ReadOnlyMemory<byte> message, WireLimits? limits = null)
    {
        limits ??= WireLimits.Default;
        return Decode(message, MessageKind.EventBatch, limits, static (ref MessagePackReader r, WireLimits l) => EventBatchFormat.Read(ref r, l));
    }

    /// <summary>Encodes an acknowledgement.</summary>
    public static byte[] Encode(BatchAck ack) =>
        Small(MessageKind.BatchAck, ack, static (ref MessagePackWriter w, BatchAck a) => AckFormat.Write(ref w, a));

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid acknowledgement.</exception>
    public static BatchAck DecodeAck(ReadOnlyMemory<byte> message) =>
        Decode(message, MessageKind.BatchAck, WireLimits.Default, static (ref MessagePackReader r, WireLimits l) => AckFormat.Read(ref r, l));

    /// <summary>Encodes a model release.</summary>
    public static byte[] Encode(ModelRelease release) =>
        Small(MessageKind.ModelRelease, release, static (ref MessagePackWriter w, ModelRelease m) => ModelFormats.Write(ref w, m));

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid model release.</exception>
    public static ModelRelease DecodeRelease(ReadOnlyMemory<byte> message, WireLimits? limits = null) =>
        Decode(message, MessageKind.ModelRelease, limits ?? WireLimits.Default, static (ref MessagePackReader r, WireLimits l) => ModelFormats.ReadRelease(ref r, l));

    /// <summary>Encodes a model package (not compressed: model weights do not compress).</summary>
    public static byte[] Encode(ModelPackage package) =>
        Small(MessageKind.ModelPackage, package, static (ref MessagePackWriter w, ModelPackage p) => ModelFormats.Write(ref w, p));

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid model package.</exception>
    public static ModelPackage DecodePackage(ReadOnlyMemory<byte> message, WireLimits? limits = null) =>
        Decode(message, MessageKind.ModelPackage, limits ?? WireLimits.Default, static (ref MessagePackReader r, WireLimits l) => ModelFormats.ReadPackage(ref r, l));

    /// <summary>Encodes a device registration.</summary>
    public static byte[] Encode(DeviceRegistration registration) =>
        Small(MessageKind.DeviceRegistration, registration, static (ref MessagePackWriter w, DeviceRegistration d) => DeviceFormats.Write(ref w, d));

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid registration.</exception>
    public static DeviceRegistration DecodeRegistration(ReadOnlyMemory<byte> message) =>
        Decode(message, MessageKind.DeviceRegistration, WireLimits.Default, static (ref MessagePackReader r, WireLimits l) => DeviceFormats.ReadRegistration(ref r, l));

    /// <summary>Encodes a device credential.</summary>
    public static byte[] Encode(DeviceCredential credential) =>
        Small(MessageKind.DeviceCredential, credential, static (ref MessagePackWriter w, DeviceCredential c) => DeviceFormats.Write(ref w, c));

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid credential.</exception>
    public static DeviceCredential DecodeCredential(ReadOnlyMemory<byte> message) =>
        Decode(message, MessageKind.DeviceCredential, WireLimits.Default, static (ref MessagePackReader r, WireLimits l) => DeviceFormats.ReadCredential(ref r, l));

    /// <summary>Encodes an attribute batch, compressed.</summary>
    /// <exception cref="ArgumentException">When the batch is empty or its sequence ids do not increase.</exception>
    public static byte[] Encode(AttributeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(batch.DeviceId, nameof(batch));
        long previous = 0;
        foreach (var change in batch.Changes)
        {
            if (change.Sequence <= previous || string.IsNullOrEmpty(change.UserId) || string.IsNullOrEmpty(change.Key))
            {
                throw new ArgumentException("Attribute changes need increasing positive sequence ids and non-empty user ids and keys.", nameof(batch));
            }
            previous = change.Sequence;
        }
        if (previous == 0)
        {
            throw new ArgumentException("An attribute batch holds at least one change.", nameof(batch));
        }
        var body = new ArrayBufferWriter<byte>(batch.Changes.Count * 48 + 64);
        var writer = new MessagePackWriter(body);
        AttributeFormats.Write(ref writer, batch);
        writer.Flush();
        return Envelope.Seal(MessageKind.AttributeBatch, body.WrittenSpan, compress: true);
    }

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid attribute batch within <paramref name="limits"/>.</exception>
    public static AttributeBatch DecodeAttributeBatch(ReadOnlyMemory<byte> message, WireLimits? limits = null) =>
        Decode(message, MessageKind.AttributeBatch, limits ?? WireLimits.Default, static (ref MessagePackReader r, WireLimits l) => AttributeFormats.ReadBatch(ref r, l));

    /// <summary>Encodes an attribute acknowledgement.</summary>
    public static byte[] Encode(AttributeAck ack) =>
        Small(MessageKind.AttributeAck, ack, static (ref MessagePackWriter w, AttributeAck a) => AttributeFormats.Write(ref w, a));

    /// <exception cref="ProtocolFormatException">When the bytes are not a valid attribute acknowledgement.</exception>
    public static AttributeAck DecodeAttributeAck(ReadOnlyMemory<byte> message) =>
        Decode(message, MessageKind.AttributeAck, WireLimits.Default, static (ref MessagePackReader r, WireLimits _) => AttributeFormats.ReadAck(ref r));

    // Keeps every timestamp delta inside a long, so what encodes also decodes.
    private const long MaxAbsTimestamp = 1L << 62;

    private static void EnsureEncodable(EventBatch batch)
    {
        ArgumentException.ThrowIfNullOrEmpty(batch.DeviceId, nameof(batch));
        if (batch.Events.Count == 0 || batch.FirstSequence < 1 || batch.Events[0].Sequence != batch.FirstSequence
            || batch.Events[^1].Sequence != batch.LastSequence)
        {
            throw new ArgumentException("A batch holds at least one event and its first/last sequence ids match its events.", nameof(batch));
        }
        long previous = 0;
        foreach (var e in batch.Events)
        {
            if (e.Sequence <= previous || e.TimestampMs is < -MaxAbsTimestamp or > MaxAbsTimestamp || !double.IsFinite(e.Value)
                || string.IsNullOrEmpty(e.UserId) || string.IsNullOrEmpty(e.ItemId))
            {
                throw new ArgumentException(
                    $"Event {e.Sequence}: sequence ids must increase, timestamps lie within ±2^62 ms, values be finite and ids non-empty.", nameof(batch));
            }
            previous = e.Sequence;
        }
    }

    private delegate void BodyWriter<T>(ref MessagePackWriter writer, T value);

    private delegate T BodyReader<T>(ref MessagePackReader reader, WireLimits limits);

    private static byte[] Small<T>(MessageKind kind, T value, BodyWriter<T> write)
    {
        ArgumentNullException.ThrowIfNull(value);
        var body = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(body);
        write(ref writer, value);
        writer.Flush();
        return Envelope.Seal(kind, body.WrittenSpan, compress: false);
    }

    private static T Decode<T>(ReadOnlyMemory<byte> message, MessageKind kind, WireLimits limits, BodyReader<T> read)
    {
        try
        {
            var body = Envelope.Open(message, kind, limits);
            var reader = new MessagePackReader(body);
            T value = read(ref reader, limits);
            if (!reader.End)
            {
                throw new ProtocolFormatException($"{kind}: trailing bytes after the message.");
            }
            return value;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException
                                      or InvalidOperationException or ArgumentException)
        {
            throw new ProtocolFormatException($"{kind}: malformed MessagePack ({e.Message})", e);
        }
    }
}
