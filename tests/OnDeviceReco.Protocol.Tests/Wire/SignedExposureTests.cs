using System.Buffers;
using System.Security.Cryptography;
using MessagePack;
using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// The exposure table devices explore against: only a trusted key's signature of exactly these bytes makes a device
/// read it, and a table within the signature still has to keep the limits.
/// </summary>
public sealed class SignedExposureTests
{
    private static readonly ECDsa ServerKey = BundleSigner.CreateKey();
    private static readonly BundleVerifier Device = new([ServerKey]);
    private static readonly ExposureCounts Table = new(1_700_000_000_000, new Dictionary<string, int>
    {
        ["game-1"] = 40, ["game-2"] = 1, ["ゲーム-3"] = 7,
    });

    [Fact]
    public void A_table_signed_by_the_trusted_key_opens_with_every_count()
    {
        var opened = SignedExposure.Open(SignedExposure.Sign(Table, ServerKey), Device);

        Assert.Equal(Table.GeneratedAtMs, opened.GeneratedAtMs);
        Assert.Equal(Table.ShownTo.OrderBy(p => p.Key), opened.ShownTo.OrderBy(p => p.Key));
    }

    [Fact]
    public void A_device_trusting_two_keys_opens_tables_of_either()
    {
        using var next = BundleSigner.CreateKey();
        var rotating = new BundleVerifier([ServerKey, next]);

        Assert.Equal(3, SignedExposure.Open(SignedExposure.Sign(Table, next), rotating).ShownTo.Count);
        Assert.Equal(3, SignedExposure.Open(SignedExposure.Sign(Table, ServerKey), rotating).ShownTo.Count);
    }

    [Fact]
    public void A_table_signed_by_another_key_is_refused()
    {
        using var stranger = BundleSigner.CreateKey();

        var e = Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(SignedExposure.Sign(Table, stranger), Device));
        Assert.Contains("not signed by a trusted model key", e.Message);
    }

    [Fact]
    public void Counts_changed_under_a_valid_signature_are_refused()
    {
        // A proxy keeps the server's signature and key id but says every item was shown to thousands.
        var (keyId, payload, signature) = Parts(SignedExposure.Sign(Table, ServerKey));
        byte[] inflated = Payload(Table.GeneratedAtMs, Table.ShownTo.Select(p => (p.Key, p.Value * 1000)));

        Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(Seal(keyId, inflated, signature), Device));
        Assert.Equal(3, SignedExposure.Open(Seal(keyId, payload, signature), Device).ShownTo.Count); // the untouched parts still open
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Signed_counts_below_one_are_refused(int devices)
    {
        // Even the right key cannot make a device read a count that says "shown to nobody" (absence says that) or fewer.
        byte[] payload = Payload(1, [("game-1", devices)]);
        Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(SignedSeal(payload), Device));
    }

    [Fact]
    public void Signed_duplicate_and_empty_ids_are_refused()
    {
        Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(SignedSeal(Payload(1, [("game-1", 2), ("game-1", 3)])), Device));
        Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(SignedSeal(Payload(1, [("", 2)])), Device));
    }

    [Fact]
    public void A_signed_table_over_the_item_limit_is_refused_before_its_entries_are_read()
    {
        var signed = SignedExposure.Sign(Table, ServerKey);

        var e = Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(signed, Device, WireLimits.Default with { MaxExposureItems = 2 }));
        Assert.Contains("limit is 2", e.Message);
    }

    [Fact]
    public void Truncated_garbage_and_other_kinds_of_message_are_refused()
    {
        byte[] signed = SignedExposure.Sign(Table, ServerKey);
        for (int length = 0; length < signed.Length; length += 7)
        {
            Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(signed.AsMemory(0, length), Device));
        }
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            byte[] noise = new byte[random.Next(1, 300)];
            random.NextBytes(noise);
            Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(noise, Device));
        }
        Assert.Throws<ProtocolFormatException>(() => SignedExposure.Open(WireCodec.Encode(new BatchAck(Guid.NewGuid(), 1, 1, 0, false)), Device));
    }

    [Fact]
    public void The_server_cannot_sign_a_table_a_device_would_refuse()
    {
        Assert.Throws<ArgumentException>(() => SignedExposure.Sign(new ExposureCounts(1, new Dictionary<string, int> { ["a"] = 0 }), ServerKey));
        Assert.Throws<ArgumentException>(() => SignedExposure.Sign(new ExposureCounts(1, new Dictionary<string, int> { [""] = 1 }), ServerKey));
    }

    private static byte[] Payload(long generatedAtMs, IEnumerable<(string ItemId, int Devices)> entries) => HandBuilt.Write((ref MessagePackWriter w) =>
    {
        var list = entries.ToList();
        w.WriteArrayHeader(2);
        w.Write(generatedAtMs);
        w.WriteMapHeader(list.Count);
        foreach (var (itemId, devices) in list)
        {
            w.Write(itemId);
            w.Write(devices);
        }
    });

    private static byte[] SignedSeal(byte[] payload) =>
        Seal(BundleKeyId.Compute(ServerKey), payload, BundleSigner.SignManifest(payload, ServerKey));

    private static byte[] Seal(string keyId, byte[] payload, byte[] signature) => Envelope.Seal(MessageKind.ExposureCounts, HandBuilt.Write((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(3);
        w.Write(keyId);
        w.Write(payload);
        w.Write(signature);
    }), compress: true);

    private static (string KeyId, byte[] Payload, byte[] Signature) Parts(byte[] message)
    {
        var reader = new MessagePackReader(Envelope.Open(message, MessageKind.ExposureCounts, WireLimits.Default));
        reader.ReadArrayHeader();
        return (reader.ReadString()!, reader.ReadBytes()!.Value.ToArray(), reader.ReadBytes()!.Value.ToArray());
    }
}
