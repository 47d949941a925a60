namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// A device asking for a token (sent with the app's API key). The first registration of an id binds it to the
/// secret; every later one must present the same secret, so knowing a device's id is not enough to act as it.
/// </summary>
/// <param name="DeviceId">The device's random id.</param>
/// <param name="Secret">A random secret the device generated and keeps in its store (the server keeps only a hash).</param>
public sealed record DeviceRegistration(string DeviceId, string Secret)
{
    /// <summary>Shortest secret a server accepts, in characters (the SDK sends 43: 32 random bytes, base64url).</summary>
    public const int MinSecretLength = 32;

    /// <summary>Longest secret a server accepts, in characters.</summary>
    public const int MaxSecretLength = 128;

    /// <summary>Hides the secret from logs and debugger displays.</summary>
    public override string ToString() => $"DeviceRegistration {{ DeviceId = {DeviceId}, Secret = (hidden) }}";
}

/// <summary>The server's answer: the token the device sends with every later request, and how long it is valid.</summary>
/// <param name="DeviceId">The device the token is for.</param>
/// <param name="Token">Opaque; a device keeps it with its store and never shares it.</param>
/// <param name="ExpiresInSeconds">
/// Lifetime from the moment it was issued. Relative, so a device with a wrong clock still renews in time; a request
/// with an expired token gets 401 and the device registers again with its secret.
/// </param>
public sealed record DeviceCredential(string DeviceId, string Token, long ExpiresInSeconds)
{
    /// <summary>Hides the token from logs and debugger displays.</summary>
    public override string ToString() => $"DeviceCredential {{ DeviceId = {DeviceId}, Token = (hidden), ExpiresInSeconds = {ExpiresInSeconds} }}";
}
