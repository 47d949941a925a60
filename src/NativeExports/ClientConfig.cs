namespace OnDeviceReco.Native;

/// <summary>
/// An odr_config as the managed options it stands for. A zero field means "the SDK's default", and that default is
/// read from the options class itself (StoreOptions, InferenceOptions, SyncOptions), never restated here: the C
/// library and the managed SDK cannot drift apart. The header names those defaults; OnDeviceReco.Tests checks the
/// values it states against the same classes.
/// </summary>
internal static unsafe class ClientConfig
{
    /// <summary>
    /// The options for odr_open; <paramref name="path"/> and <paramref name="key"/> are already read and the
    /// numbers range-checked by the caller. Throws ArgumentException for a malformed sync address or key.
    /// </summary>
    public static RecoClientOptions From(NativeConfig* config, string path, string? key)
    {
        var sync = SyncOptionsFrom(config);
        var defaults = new StoreOptions { DatabasePath = path };
        var store = new StoreOptions
        {
            DatabasePath = path,
            MaxRows = config->MaxEvents > 0 ? config->MaxEvents : defaults.MaxRows,
            FlushInterval = config->FlushIntervalMs > 0 ? TimeSpan.FromMilliseconds(config->FlushIntervalMs) : defaults.FlushInterval,
        };
        return new RecoClientOptions
        {
            Store = store,
            InitialConsent = (ConsentState)config->InitialConsent,
            TrustedModelKeys = key is null ? [] : [key],
            Inference = config->InferenceThreads > 0 ? new InferenceOptions { IntraOpThreads = config->InferenceThreads } : new InferenceOptions(),
            LoggerFactory = CallbackLogging.Factory,
            Sync = sync,
        };
    }

    private static SyncOptions? SyncOptionsFrom(NativeConfig* config)
    {
        string? url = Utf8Strings.ReadOptional(config->SyncUrl, "config->sync_url", Utf8Strings.MaxPathBytes);
        if (url is null)
        {
            return null;
        }
        string apiKey = Utf8Strings.Read(config->SyncApiKey, "config->sync_api_key", Utf8Strings.MaxKeyBytes);
        // One address, or several of the same service separated by spaces or commas (failover between nodes).
        var uris = url.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(part => Uri.TryCreate(part, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new ArgumentException($"config->sync_url: '{part}' is not an absolute http or https address."))
            .ToList();
        if (uris.Count == 0)
        {
            throw new ArgumentException("config->sync_url holds no address.");
        }
        var options = new SyncOptions
        {
            ServerUri = uris[0],
            AlternateServerUris = uris.Skip(1).ToList(),
            ApiKey = apiKey,
            Interval = config->SyncIntervalSeconds > 0 ? TimeSpan.FromSeconds(config->SyncIntervalSeconds) : null,
        };
        options = options with { Fields = FieldsFrom(config, options.Fields) };
        return config->SyncMaxAttempts > 0 ? options with { MaxAttempts = config->SyncMaxAttempts } : options;
    }

    /// <summary>sync_context, sync_value and sync_time over the managed default (each 0 keeps it); the caller range-checked them.</summary>
    private static SyncedFields FieldsFrom(NativeConfig* config, SyncedFields defaults) => defaults with
    {
        Context = config->SyncContext > 0 ? (SyncedContext)config->SyncContext : defaults.Context,
        Value = config->SyncValue > 0 ? config->SyncValue == 2 : defaults.Value,
        Time = config->SyncTime > 0 ? (TimePrecision)config->SyncTime : defaults.Time,
    };
}
