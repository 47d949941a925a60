using System.Security.Cryptography;
using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>One sample of each message kind with its decoder, for tests that apply to every kind.</summary>
internal static class AllMessages
{
    public sealed record Sample(MessageKind Kind, byte[] Bytes, Func<ReadOnlyMemory<byte>, object> Decode);

    /// <summary>The key exposure samples are signed with, and the device side that trusts it.</summary>
    private static readonly ECDsa ExposureKey = BundleSigner.CreateKey();
    private static readonly BundleVerifier ExposureVerifier = new([ExposureKey]);

    public static IReadOnlyList<Func<ReadOnlyMemory<byte>, object>> Decoders { get; } =
    [
        m => WireCodec.DecodeBatch(m),
        m => WireCodec.DecodeAck(m),
        m => WireCodec.DecodeRelease(m),
        m => WireCodec.DecodePackage(m),
        m => WireCodec.DecodeRegistration(m),
        m => WireCodec.DecodeCredential(m),
        m => WireCodec.DecodeAttributeBatch(m),
        m => WireCodec.DecodeAttributeAck(m),
        m => SignedExposure.Open(m, ExposureVerifier),
    ];

    /// <summary>The decoder for <paramref name="kind"/> (kinds are numbered 1..9 in the order above).</summary>
    public static Func<ReadOnlyMemory<byte>, object> DecoderOf(MessageKind kind) => Decoders[(int)kind - 1];

    public static IReadOnlyList<Sample> Samples(Random rng, int maxEvents = 20) =>
    [
        new(MessageKind.EventBatch, WireCodec.Encode(WireGen.Batch(rng, maxEvents)), DecoderOf(MessageKind.EventBatch)),
        new(MessageKind.BatchAck, WireCodec.Encode(WireGen.Ack(rng)), DecoderOf(MessageKind.BatchAck)),
        new(MessageKind.ModelRelease, WireCodec.Encode(WireGen.Release(rng)), DecoderOf(MessageKind.ModelRelease)),
        new(MessageKind.ModelPackage, WireCodec.Encode(SmallPackage(rng)), DecoderOf(MessageKind.ModelPackage)),
        new(MessageKind.DeviceRegistration, WireCodec.Encode(WireGen.Registration(rng)), DecoderOf(MessageKind.DeviceRegistration)),
        new(MessageKind.DeviceCredential, WireCodec.Encode(WireGen.Credential(rng)), DecoderOf(MessageKind.DeviceCredential)),
        new(MessageKind.AttributeBatch, WireCodec.Encode(WireGen.Attributes(rng)), DecoderOf(MessageKind.AttributeBatch)),
        new(MessageKind.AttributeAck, WireCodec.Encode(WireGen.AttributeAck(rng)), DecoderOf(MessageKind.AttributeAck)),
        new(MessageKind.ExposureCounts, SignedExposure.Sign(Exposure(rng), ExposureKey), DecoderOf(MessageKind.ExposureCounts)),
    ];

    public static ExposureCounts Exposure(Random rng)
    {
        var shownTo = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = rng.Next(0, 30); i > 0; i--)
        {
            shownTo.TryAdd(WireGen.PlainFileName(rng), rng.Next(1, 10_000));
        }
        return new ExposureCounts(rng.NextInt64(0, 2_000_000_000_000), shownTo);
    }

    public static ModelPackage SmallPackage(Random rng)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int i = rng.Next(0, 4); i > 0; i--)
        {
            files.TryAdd(WireGen.PlainFileName(rng), Lz4Inputs.Noise(rng, rng.Next(0, 64)));
        }
        return new ModelPackage(rng.Next(1, 100), files);
    }
}
