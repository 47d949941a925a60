using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary><c>[device id, secret]</c> and <c>[device id, token, expires in seconds]</c>.</summary>
internal static class DeviceFormats
{
    public static void Write(ref MessagePackWriter writer, DeviceRegistration registration)
    {
        writer.WriteArrayHeader(2);
        writer.Write(registration.DeviceId);
        writer.Write(registration.Secret);
    }

    public static DeviceRegistration ReadRegistration(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, 2, "device registration");
        string deviceId = NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "device id"), "device id");
        string secret = WireRead.String(ref reader, DeviceRegistration.MaxSecretLength, "device secret");
        if (secret.Length < DeviceRegistration.MinSecretLength)
        {
            throw new ProtocolFormatException($"The device secret is shorter than {DeviceRegistration.MinSecretLength} characters.");
        }
        return new DeviceRegistration(deviceId, secret);
    }

    public static void Write(ref MessagePackWriter writer, DeviceCredential credential)
    {
        writer.WriteArrayHeader(3);
        writer.Write(credential.DeviceId);
        writer.Write(credential.Token);
        writer.Write(credential.ExpiresInSeconds);
    }

    public static DeviceCredential ReadCredential(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, 3, "device credential");
        string deviceId = NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "device id"), "device id");
        string token = NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "token"), "token");
        long expiresIn = reader.ReadInt64();
        if (expiresIn <= 0)
        {
            throw new ProtocolFormatException("The token lifetime must be positive.");
        }
        return new DeviceCredential(deviceId, token, expiresIn);
    }

    private static string NonEmpty(string text, string what) =>
        text.Length > 0 ? text : throw new ProtocolFormatException($"{what} is empty.");
}
