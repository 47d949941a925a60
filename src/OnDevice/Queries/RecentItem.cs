namespace OnDeviceReco;

/// <summary>One step of a user's recent behaviour sequence.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Type">The most recent event type on it at this step.</param>
/// <param name="Timestamp">When that event happened.</param>
/// <param name="Value">That event's value.</param>
public sealed record RecentItem(string ItemId, EventType Type, DateTimeOffset Timestamp, double Value);
