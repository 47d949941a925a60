namespace OnDeviceReco.Protocol.Events;

/// <summary>One rule of the event contract an event breaks.</summary>
/// <param name="Field">The argument or field at fault (as the caller named it).</param>
/// <param name="Reason">Which rule.</param>
/// <param name="Message">A sentence for a log or an error message.</param>
public sealed record EventViolation(string Field, InvalidInputReason Reason, string Message);
