namespace OnDeviceReco;

/// <summary>An event, item or query argument failed validation; nothing was written.</summary>
public sealed class InvalidEventException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="paramName"/>.</summary>
    public InvalidEventException(string paramName, InvalidInputReason reason, string message)
        : base(message, paramName)
    {
        Reason = reason;
    }

    /// <summary>Why the input was refused.</summary>
    public InvalidInputReason Reason { get; }
}
