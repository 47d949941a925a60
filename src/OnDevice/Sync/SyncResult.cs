namespace OnDeviceReco;

/// <summary>How a sync ended.</summary>
public enum SyncStatus
{
    /// <summary>
    /// Every pending event is on the server (or there was none), the model is current, and the server confirmed every
    /// erasure owed (<see cref="SyncResult.ErasuresPending"/> is 0).
    /// </summary>
    Completed = 0,
    /// <summary>Consent is not Granted: nothing was sent.</summary>
    NoConsent = 1,
    /// <summary>
    /// The server could not be reached or kept failing (network, timeouts, 5xx, 429); the next sync resumes. Also when
    /// an erasure is still owed (<see cref="SyncResult.ErasuresPending"/>): it is asked for again at the next sync.
    /// </summary>
    Unreachable = 2,
    /// <summary>The server refused the request for good (bad key, invalid data); retrying the same request will not help.</summary>
    Refused = 3,
    /// <summary>Events synced, but the offered model could not be downloaded or was refused by verification.</summary>
    ModelFailed = 4,
}

/// <summary>What one sync did.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="EventsSent">Events the server acknowledged in this sync.</param>
/// <param name="EventsAlreadyOnServer">Of those, events the server already had (a resend after a lost acknowledgement).</param>
/// <param name="Batches">Requests acknowledged.</param>
/// <param name="Attempts">HTTP attempts made, retries included.</param>
/// <param name="ModelVersion">The model serving after the sync, or null.</param>
/// <param name="ModelUpdated">True when this sync swapped in a new model.</param>
/// <param name="HttpStatus">Status of the last failed response, when there was one.</param>
/// <param name="Error">Why it did not complete, or null.</param>
/// <param name="RetryAfter">How long the server asked the device to wait, when it did.</param>
/// <param name="EventsSetAside">
/// Events the server refused for good in this sync (they break the event contract — an older SDK let them through);
/// they stay on the device, are never sent again, and no longer hold back the events after them.
/// </param>
/// <param name="SetAsideReason">The server's reason for the first of those, or null.</param>
public sealed record SyncResult(
    SyncStatus Status,
    int EventsSent,
    int EventsAlreadyOnServer,
    int Batches,
    int Attempts,
    long? ModelVersion,
    bool ModelUpdated,
    int? HttpStatus,
    string? Error,
    TimeSpan? RetryAfter,
    int EventsSetAside = 0,
    string? SetAsideReason = null)
{
    /// <summary>User attribute changes (sets and removals) the server acknowledged in this sync.</summary>
    public int AttributeChangesSent { get; init; }

    /// <summary>
    /// Events numbered anew in this sync because the server held other events under their numbers — the store was
    /// restored from a backup and numbered again from where it stood. They were sent again under the new numbers
    /// (counted in <see cref="EventsSent"/> once they landed).
    /// </summary>
    public int EventsRenumbered { get; init; }

    /// <summary>
    /// Items in the population exposure table this sync fetched, verified and now explores against; null when it
    /// fetched none (no trusted model key, a server without the table, a failure: the previous table stays).
    /// </summary>
    public int? ExposureItems { get; init; }

    /// <summary>
    /// Erasures the server confirmed in this sync: for each identity <c>EraseAllData</c> erased on the device, the
    /// server deleted what it held under it (or had already). Asked for before anything else, whatever the consent.
    /// </summary>
    public int ErasedOnServer { get; init; }

    /// <summary>Erasures still owed after this sync (the server could not be reached); the next sync asks again, also after a restart.</summary>
    public int ErasuresPending { get; init; }
    /// <summary>The experiment arm the device is on after this sync (see <c>RecoClient.Arm</c>), or null.</summary>
    public OnDeviceReco.Protocol.Wire.ExperimentArm? Arm { get; init; }
}
