using System.Buffers;
using System.Security.Cryptography;
using MessagePack;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Exposure;

/// <summary>
/// An <see cref="ExposureCounts"/> table as the server sends it and the device keeps it: an envelope of kind
/// <see cref="MessageKind.ExposureCounts"/> holding <c>[key id, payload, signature]</c>, where the payload is
/// <c>[generated at ms, {item id: devices}]</c> and the signature is the model-signing key's ECDSA P-256 / SHA-256
/// signature of the payload bytes. Devices check the signature against their trusted model keys before reading
/// the payload, so a table from anyone else (a proxy, a file planted in the app's directory) is never used.
/// </summary>
public static class SignedExposure
{
    private const int Fields = 3;

    /// <summary>The signed message for <paramref name="counts"/>.</summary>
    /// <exception cref="ArgumentException">When a count is below 1 or an id is empty.</exception>
    public static byte[] Sign(ExposureCounts counts, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(counts);
        P256Keys.Require(privateKey, nameof(privateKey));
        var payload = new ArrayBufferWriter<byte>(counts.ShownTo.Count * 16 + 32);
        var writer = new MessagePackWriter(payload);
        writer.WriteArrayHeader(2);
        writer.Write(counts.GeneratedAtMs);
        writer.WriteMapHeader(counts.ShownTo.Count);
        foreach (var (itemId, devices) in counts.ShownTo)
        {
            if (string.IsNullOrEmpty(itemId) || devices < 1)
            {
                throw new ArgumentException($"Exposure entry '{itemId}' → {devices}: ids are non-empty and counts at least 1.", nameof(counts));
            }
            writer.Write(itemId);
            writer.Write(devices);
        }
        writer.Flush();
        byte[] signature = BundleSigner.SignManifest(payload.WrittenSpan, privateKey);

        var body = new ArrayBufferWriter<byte>(payload.WrittenCount + 128);
        var outer = new MessagePackWriter(body);
        outer.WriteArrayHeader(Fields);
        outer.Write(BundleKeyId.Compute(privateKey));
        outer.Write(payload.WrittenSpan);
        outer.Write(signature);
        outer.Flush();
        return Envelope.Seal(MessageKind.ExposureCounts, body.WrittenSpan, compress: true);
    }

    /// <summary>
    /// The HTTP entity tag of a signed table (its SHA-256, hex, quoted): the server sends it as <c>ETag</c>, and a device
    /// that keeps the same bytes asks with <c>If-None-Match</c>, so an unchanged table is not downloaded again.
    /// </summary>
    public static string EntityTag(ReadOnlySpan<byte> signed) => $"\"{Convert.ToHexStringLower(SHA256.HashData(signed))}\"";

    /// <summary>The table in <paramref name="message"/>, once its signature is a trusted key's.</summary>
    /// <exception cref="ProtocolFormatException">When the message is malformed, over <paramref name="limits"/>, or not signed by a key <paramref name="verifier"/> trusts.</exception>
    public static ExposureCounts Open(ReadOnlyMemory<byte> message, BundleVerifier verifier, WireLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        limits ??= WireLimits.Default;
        try
        {
            var body = Envelope.Open(message, MessageKind.ExposureCounts, limits);
            var reader = new MessagePackReader(body);
            WireRead.ExpectArray(ref reader, Fields, "Exposure");
            WireRead.String(ref reader, limits.MaxStringBytes, "Exposure key id"); // informative only: every trusted key is tried
            var payload = reader.ReadBytes() ?? throw new ProtocolFormatException("Exposure: nil payload.");
            var signature = reader.ReadBytes() ?? throw new ProtocolFormatException("Exposure: nil signature.");
            if (!reader.End)
            {
                throw new ProtocolFormatException("Exposure: trailing bytes after the message.");
            }
            byte[] payloadBytes = payload.ToArray();
            if (!verifier.IsTrustedSignature(payloadBytes, signature.ToArray()))
            {
                throw new ProtocolFormatException("Exposure: not signed by a trusted model key.");
            }
            return ReadPayload(payloadBytes, limits);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException
                                      or InvalidOperationException or ArgumentException)
        {
            throw new ProtocolFormatException($"Exposure: malformed MessagePack ({e.Message})", e);
        }
    }

    private static ExposureCounts ReadPayload(byte[] payload, WireLimits limits)
    {
        var reader = new MessagePackReader(payload);
        WireRead.ExpectArray(ref reader, 2, "Exposure payload");
        long generatedAtMs = reader.ReadInt64();
        int count = WireRead.MapOf(ref reader, limits.MaxExposureItems, "Exposure items");
        var shownTo = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string itemId = WireRead.String(ref reader, limits.MaxStringBytes, "Exposure item id");
            int devices = reader.ReadInt32();
            if (itemId.Length == 0 || devices < 1 || !shownTo.TryAdd(itemId, devices))
            {
                throw new ProtocolFormatException($"Exposure item '{itemId}': ids are non-empty and unique, counts at least 1.");
            }
        }
        if (!reader.End)
        {
            throw new ProtocolFormatException("Exposure payload: trailing bytes.");
        }
        return new ExposureCounts(generatedAtMs, shownTo.AsReadOnly());
    }
}
