namespace OnDeviceReco;

/// <summary>How popular an item was on this device over a window.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Users">Distinct profiles that interacted with it.</param>
/// <param name="Interactions">Interactions with it (impressions and dismissals not counted).</param>
public sealed record ItemPopularity(string ItemId, long Users, long Interactions);
