namespace OnDeviceReco.Trainer.Data;

/// <summary>Input data is missing or malformed; the message names the file and line.</summary>
public sealed class DataFormatException(string message) : Exception(message);
