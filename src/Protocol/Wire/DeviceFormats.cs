using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary><c>[device id]</c> and <c>[device id, token]</c>.</summary>
internal static class DeviceFormats
{
    public static void Write(ref MessagePackWriter writer, DeviceRegistration registration)
    {
        writer.WriteArrayHeader(1);
        writer.Write(registration.DeviceId);
    }

    public static DeviceRegistration ReadRegistration(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, 1, "device registration");
        return new DeviceRegistration(NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "device id"), "device id"));
    }

    public static void Write(ref MessagePackWriter writer, DeviceCredential credential)
    {
        writer.WriteArrayHeader(2);
        writer.Write(credential.DeviceId);
        writer.Write(credential.Token);
    }

    public static DeviceCredential ReadCredential(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, 2, "device credential");
        return new DeviceCredential(
            NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "device id"), "device id"),
            NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "token"), "token"));
    }

    private static string NonEmpty(string text, string what) =>
        text.Length > 0 ? text : throw new ProtocolFormatException($"{what} is empty.");
}
