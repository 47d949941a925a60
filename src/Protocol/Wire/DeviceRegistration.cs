namespace OnDeviceReco.Protocol.Wire;

/// <summary>A device asking for its token (sent with the app's API key).</summary>
/// <param name="DeviceId">The device's random id.</param>
public sealed record DeviceRegistration(string DeviceId);

/// <summary>The server's answer: the token the device sends with every later request.</summary>
/// <param name="DeviceId">The device the token is for.</param>
/// <param name="Token">Opaque; a device keeps it with its store and never shares it.</param>
public sealed record DeviceCredential(string DeviceId, string Token);
