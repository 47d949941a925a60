using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// How a device appears in logs: by default, always, its keyed pseudonym — the name the store holds it under —
/// never its id. Operators can follow one device through the log and find its rows, while a log reader learns no
/// id and, without the server's key, cannot test a guessed one. User ids, tokens, secrets and client addresses
/// never appear in the server's own log lines.
/// </summary>
public sealed class LogNames(IdPseudonyms pseudonyms)
{
    /// <summary>The log name of the device <paramref name="deviceId"/> (as the device sent it).</summary>
    public string Device(string deviceId) => "dev-" + pseudonyms.Device(deviceId);
}
