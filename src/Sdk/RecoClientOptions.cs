using Microsoft.Extensions.Logging;

namespace OnDeviceReco;

/// <summary>Everything a <see cref="RecoClient"/> is created from.</summary>
public sealed class RecoClientOptions
{
    /// <summary>The behaviour store: database path, limits, flush policy. Required.</summary>
    public required StoreOptions Store { get; init; }

    /// <summary>Consent to record when the store has none yet (a new install). Default Unknown: local only, nothing synced.</summary>
    public ConsentState InitialConsent { get; init; } = ConsentState.Unknown;

    /// <summary>Window over which on-device popularity is counted. Default 30 days.</summary>
    public TimeSpan PopularityWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long one count of on-device popularity is reused before it is recounted. Default 1 minute.</summary>
    public TimeSpan PopularityRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The app's own popularity list (most popular first), used after on-device popularity. Optional.</summary>
    public IReadOnlyList<string>? PopularItems { get; init; }

    /// <summary>How the model runs (execution provider, threads, candidate pool).</summary>
    public InferenceOptions Inference { get; init; } = new();

    /// <summary>
    /// PEM public keys (ECDSA P-256) whose signatures this app accepts on model bundles. Without one, no
    /// model can be loaded: nothing on the device reads a file it has not verified.
    /// </summary>
    public IReadOnlyList<string> TrustedModelKeys { get; init; } = [];

    /// <summary>Where the SDK logs (store recovery, write failures, consent changes). Optional.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Where feedback syncs to and models come from; null keeps everything on the device. Sync only ever
    /// sends anything while consent is <see cref="ConsentState.Granted"/>.
    /// </summary>
    public SyncOptions? Sync { get; init; }
}
