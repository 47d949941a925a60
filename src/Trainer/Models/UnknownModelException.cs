namespace OnDeviceReco.Trainer.Models;

/// <summary>A model name the catalogue does not know; the message lists the names it does.</summary>
public sealed class UnknownModelException(string message) : ArgumentException(message);
