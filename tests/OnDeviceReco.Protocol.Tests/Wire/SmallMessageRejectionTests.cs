using MessagePack;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Acknowledgements and device messages with bad fields are rejected.</summary>
public sealed class SmallMessageRejectionTests
{
    private static byte[] Ack(long acceptedThrough, long stored, long alreadyStored, int guidBytes = 16) =>
        Envelope.Seal(MessageKind.BatchAck, HandBuilt.Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write(new byte[guidBytes]);
            w.Write(acceptedThrough);
            w.Write(stored);
            w.Write(alreadyStored);
            w.Write(true);
        }), compress: false);

    [Theory]
    [InlineData(-1L, 0L, 0L)]
    [InlineData(0L, -1L, 0L)]
    [InlineData(0L, 0L, -1L)]
    [InlineData(long.MinValue, 0L, 0L)]
    [InlineData(0L, 1L + int.MaxValue, 0L)]
    public void Negative_or_oversized_ack_counts_are_rejected(long acceptedThrough, long stored, long alreadyStored)
    {
        Assert.NotNull(WireCodec.DecodeAck(Ack(0, 0, 0)));
        WireAssert.Rejects(() => WireCodec.DecodeAck(Ack(acceptedThrough, stored, alreadyStored)), $"{acceptedThrough}/{stored}/{alreadyStored}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    public void An_ack_batch_id_that_is_not_16_bytes_is_rejected(int length)
    {
        WireAssert.Rejects(() => WireCodec.DecodeAck(Ack(1, 1, 0, length)), $"{length}-byte id");
    }

    private static byte[] Device(MessageKind kind, params byte[]?[] strings) => Device(kind, strings, lifetime: null);

    /// <summary>An array of the strings, then the lifetime when given (a credential's third field).</summary>
    private static byte[] Device(MessageKind kind, byte[]?[] strings, long? lifetime) =>
        Envelope.Seal(kind, HandBuilt.Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(strings.Length + (lifetime is null ? 0 : 1));
            foreach (byte[]? s in strings)
            {
                if (s is null)
                {
                    w.WriteNil();
                }
                else
                {
                    w.WriteString(s);
                }
            }
            if (lifetime is { } seconds)
            {
                w.Write(seconds);
            }
        }), compress: false);

    [Fact]
    public void Empty_nil_oversized_or_invalid_device_strings_are_rejected()
    {
        byte[] ok = "device-1"u8.ToArray();
        byte[] tooLong = new byte[WireLimits.Default.MaxStringBytes + 1];
        tooLong.AsSpan().Fill((byte)'a');
        byte[] invalid = [0xC3, 0x28];
        byte[] secret = new byte[DeviceRegistration.MinSecretLength];
        secret.AsSpan().Fill((byte)'s');
        Assert.NotNull(WireCodec.DecodeRegistration(Device(MessageKind.DeviceRegistration, ok, secret)));
        Assert.NotNull(WireCodec.DecodeCredential(Device(MessageKind.DeviceCredential, [ok, ok], 3600)));
        foreach (byte[]? bad in new[] { [], null, tooLong, invalid })
        {
            string why = bad is null ? "nil" : $"{bad.Length} bytes";
            WireAssert.Rejects(() => WireCodec.DecodeRegistration(Device(MessageKind.DeviceRegistration, bad, secret)), $"registration {why}");
            WireAssert.Rejects(() => WireCodec.DecodeRegistration(Device(MessageKind.DeviceRegistration, ok, bad)), $"registration secret {why}");
            WireAssert.Rejects(() => WireCodec.DecodeCredential(Device(MessageKind.DeviceCredential, [bad, ok], 3600)), $"credential id {why}");
            WireAssert.Rejects(() => WireCodec.DecodeCredential(Device(MessageKind.DeviceCredential, [ok, bad], 3600)), $"credential token {why}");
        }
        WireAssert.Rejects(() => WireCodec.DecodeRegistration(Device(MessageKind.DeviceRegistration, ok, secret[..^1])), "short secret");
        WireAssert.Rejects(() => WireCodec.DecodeRegistration(Device(MessageKind.DeviceRegistration, ok)), "one field");
        WireAssert.Rejects(() => WireCodec.DecodeRegistration(Device(MessageKind.DeviceRegistration, ok, secret, ok)), "three fields");
        WireAssert.Rejects(() => WireCodec.DecodeCredential(Device(MessageKind.DeviceCredential, [ok, ok], null)), "no lifetime");
        WireAssert.Rejects(() => WireCodec.DecodeCredential(Device(MessageKind.DeviceCredential, [ok, ok], 0)), "zero lifetime");
        WireAssert.Rejects(() => WireCodec.DecodeCredential(Device(MessageKind.DeviceCredential, [ok, ok], -5)), "negative lifetime");
    }
}
