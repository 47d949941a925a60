namespace OnDeviceReco;

// User attributes and other channels. Attributes are categorical facts about a user (platform, locale, age band…);
// other channels are event types (EventType.Search with the query as the id, EventType.StoreVisit with the item),
// tracked with Track like every event. A new user's attributes and searches pick the cold-start list
// (RecommendationSource.Cohort) from the model bundle's cohort table.
public sealed partial class RecoClient
{
    /// <summary>
    /// Sets a categorical attribute of the user (e.g. <c>platform</c> = <c>ios</c>), replacing an earlier value;
    /// durable when it returns, synced like events (with consent), never synced when local-only.
    /// </summary>
    /// <param name="userId">Profile id, 1–256 UTF-8 bytes.</param>
    /// <param name="key">1–64 UTF-8 bytes, no control characters.</param>
    /// <param name="value">1–128 UTF-8 bytes, no control characters.</param>
    /// <returns><see cref="TrackOutcome.Accepted"/>, or <see cref="TrackOutcome.ConsentRevoked"/> (nothing recorded).</returns>
    /// <exception cref="InvalidEventException">When an argument is invalid or the user already has 32 other attributes; nothing is recorded.</exception>
    public TrackOutcome SetUserAttribute(string userId, string key, string value) => _store.SetUserAttribute(userId, key, value);

    /// <summary>Removes an attribute of the user (the removal syncs too). True when the user had it.</summary>
    /// <exception cref="InvalidEventException">When an argument is invalid.</exception>
    public bool RemoveUserAttribute(string userId, string key) => _store.RemoveUserAttribute(userId, key);

    /// <summary>The user's attributes, by key.</summary>
    public IReadOnlyDictionary<string, string> GetUserAttributes(string userId) => _store.GetUserAttributes(userId);
}
