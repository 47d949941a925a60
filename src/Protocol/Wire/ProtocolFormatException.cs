namespace OnDeviceReco.Protocol.Wire;

/// <summary>Bytes that are not a valid message of the expected kind: truncated, damaged, hostile or from an unknown version.</summary>
public sealed class ProtocolFormatException : Exception
{
    /// <summary>Creates the exception with a message saying what was wrong.</summary>
    public ProtocolFormatException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
