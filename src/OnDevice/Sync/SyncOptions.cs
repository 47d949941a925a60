namespace OnDeviceReco;

/// <summary>
/// Where and how the device syncs. Nothing is sent unless the user's consent is <see cref="ConsentState.Granted"/>.
/// </summary>
public sealed record SyncOptions
{
    /// <summary>The server's base address, e.g. https://reco.example.com/.</summary>
    public required Uri ServerUri { get; init; }

    /// <summary>
    /// Further addresses of the same service (other nodes sharing its database). When the current one fails with a
    /// network error, a timeout or a 5xx, the next attempt goes to the next address; the one that answers stays
    /// current. Empty: <see cref="ServerUri"/> only.
    /// </summary>
    public IReadOnlyList<Uri> AlternateServerUris { get; init; } = [];

    /// <summary>The app's API key (identifies the app, not the user).</summary>
    public required string ApiKey { get; init; }

    /// <summary>Most events per request.</summary>
    public int MaxBatchEvents { get; init; } = 10_000;

    /// <summary>Most encoded bytes per request; a batch over it is split.</summary>
    public int MaxBatchBytes { get; init; } = 512 * 1024;

    /// <summary>Time one HTTP attempt may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per request before a sync gives up until the next one (transient failures only).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First retry delay; doubles per attempt, with full jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts; a server asking for longer (Retry-After) ends this sync instead.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Automatic sync period; null syncs only when the app calls Sync.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Whether a sync also fetches, verifies and hot-swaps a newer model.</summary>
    public bool DownloadModels { get; init; } = true;

    /// <summary>Where downloaded bundles go; null puts them in a "models" directory beside the database.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>
    /// Which fields of each event leave the device (data minimisation); the default <see cref="SyncedFields.Minimal"/>
    /// sends what training and experiments use and no more. The device keeps every field whatever is chosen.
    /// </summary>
    public SyncedFields Fields { get; init; } = SyncedFields.Minimal;

    /// <summary>The handler HTTP goes through (proxy, certificate pinning); null uses a default SocketsHttpHandler.</summary>
    public HttpMessageHandler? Handler { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ServerUri, nameof(ServerUri));
        ArgumentNullException.ThrowIfNull(AlternateServerUris, nameof(AlternateServerUris));
        foreach (var uri in (Uri[])[ServerUri, .. AlternateServerUris])
        {
            if (uri is null || !uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException("ServerUri and AlternateServerUris must be absolute http or https addresses.", nameof(ServerUri));
            }
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(ApiKey, nameof(ApiKey));
        ArgumentNullException.ThrowIfNull(Fields, nameof(Fields));
        Fields.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchEvents, 1, nameof(MaxBatchEvents));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBatchEvents, 50_000, nameof(MaxBatchEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1024, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        if (RequestTimeout <= TimeSpan.Zero || InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff || Interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("RequestTimeout and Interval must be positive and MaxBackoff ≥ InitialBackoff ≥ 0.");
        }
    }
}
