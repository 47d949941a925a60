namespace OnDeviceReco;

/// <summary>What <c>Track</c> did with a valid event. Invalid events throw instead.</summary>
public enum TrackOutcome
{
    /// <summary>Queued; it becomes durable at the next batch commit or <c>Flush</c>.</summary>
    Accepted = 0,
    /// <summary>Not recorded: the user revoked consent.</summary>
    ConsentRevoked = 1,
    /// <summary>Not recorded: the in-memory queue is at its limit because the disk cannot keep up or fails.</summary>
    QueueFull = 2,
}
