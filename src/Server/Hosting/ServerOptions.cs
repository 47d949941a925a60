namespace OnDeviceReco.Server.Hosting;

/// <summary>Everything the server needs to run; bound from the "Reco" configuration section or set in code.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the feedback database, the signing key, the token secret and the model versions live.</summary>
    public string DataDirectory { get; set; } = "server-data";

    /// <summary>
    /// Where the secrets live that every node of one service must share: the device-token key
    /// (<c>device-token.secret</c>), the model-signing key (<c>signing-key.pem</c>, whose public half apps trust) and the
    /// privacy secret (<c>privacy.secret</c>: erased devices' markers, the noise of shipped counts).
    /// Null: <see cref="DataDirectory"/>. Nodes sharing a PostgreSQL store point this at the same (secret) directory;
    /// the first node to start creates them.
    /// </summary>
    public string? SecretsDirectory { get; set; }

    /// <summary>"sqlite" (default: a file in <see cref="DataDirectory"/>) or "postgresql" (shared by many nodes; needs <see cref="ConnectionString"/>).</summary>
    public string Store { get; set; } = FeedbackStores.Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql format) when <see cref="Store"/> is "postgresql".</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Listening address; loopback by default so nothing is exposed until someone decides to.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Per-app API keys. A request without one of these is refused with 401.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Key for operator endpoints (retrain now, roll back). Null disables them.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Read-only bearer token for <c>/metrics</c> (Prometheus: <c>authorization: credentials_file</c>). Null, the
    /// default, serves /metrics to loopback clients only — set it when the scraper runs elsewhere or when a reverse
    /// proxy on this host forwards outside requests (they would arrive from loopback).
    /// </summary>
    public string? MetricsScrapeKey { get; set; }

    /// <summary>How long a dashboard login lasts. Sessions also end when the server restarts or the admin key changes.</summary>
    public TimeSpan AdminSessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Largest request body; larger uploads get 413.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Requests per second one device may make (token bucket); beyond it, 429 with Retry-After.</summary>
    public int DeviceRequestsPerSecond { get; set; } = 20;

    /// <summary>Bucket size: the burst a device may make after being idle.</summary>
    public int DeviceRequestBurst { get; set; } = 40;

    /// <summary>How long a device token is valid; the device then registers again with its secret (transparently).</summary>
    public TimeSpan DeviceTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Registrations one network address may make per minute (token bucket), so one client cannot mint device ids in bulk.</summary>
    public int RegistrationsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Bucket size of the per-address registration limit (a household or office behind one address).</summary>
    public int RegistrationBurstPerAddress { get; set; } = 60;

    /// <summary>Registrations per second from all addresses together; bounds how fast the device table can grow.</summary>
    public int RegistrationsPerSecond { get; set; } = 200;

    /// <summary>
    /// Event batches processed at once. Each holds its body and its decoded events (up to
    /// <see cref="MaxRequestBytes"/> and 16 MiB decoded), so this bounds ingestion memory however many device ids
    /// a client mints. Further requests wait in a short queue, then get 503 with Retry-After.
    /// </summary>
    public int MaxConcurrentIngests { get; set; } = 16;

    /// <summary>Batches that may wait for a free slot before 503 is returned.</summary>
    public int IngestQueueLimit { get; set; } = 64;

    /// <summary>
    /// A MovieLens-layout directory whose movie file gives items titles, genres and optional descriptions (content
    /// features, and the text of text recipes), plus the items added since in <c>added-items.csv</c> (the admin endpoint
    /// writes there; so may an operator). Optional; text recipes and catalogue updates need it.
    /// </summary>
    public string? CatalogueDirectory { get; set; }

    /// <summary>
    /// How often the catalogue directory is compared with the serving bundle: items it lists that devices do not have
    /// are published as a catalogue update (no retraining). Items added through the admin endpoint publish at once.
    /// </summary>
    public TimeSpan CatalogueCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How old the exposure table devices explore against (<c>/v1/exposure</c>: per item, on how many devices it was
    /// shown) may get before the next request counts again. Counting reads every stored impression, so not per request.
    /// </summary>
    public TimeSpan ExposureRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When and how models are retrained.</summary>
    public RetrainingOptions Retraining { get; set; } = new();

    /// <summary>What the tables shipped to devices may reveal (k-anonymity and noise).</summary>
    public Privacy.PrivacyOptions Privacy { get; set; } = new();
    /// <summary>Online experiments: how a new version is tried on a share of devices and judged on what players did.</summary>
    public OnDeviceReco.Server.Experiments.ExperimentOptions Experiments { get; set; } = new();

    /// <summary>Throws when a required option is missing or out of range.</summary>
    public void Validate()
    {
        if (ApiKeys.Count == 0 || ApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidOperationException("Reco:ApiKeys must list at least one non-empty API key.");
        }
        if (!string.Equals(Store, FeedbackStores.Sqlite, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Store, FeedbackStores.PostgreSql, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Reco:Store must be '{FeedbackStores.Sqlite}' or '{FeedbackStores.PostgreSql}'.");
        }
        if (string.Equals(Store, FeedbackStores.PostgreSql, StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException("Reco:ConnectionString is required when Reco:Store is 'postgresql'.");
        }
        if (MaxRequestBytes < 1024 || DeviceRequestsPerSecond < 1 || DeviceRequestBurst < 1)
        {
            throw new InvalidOperationException("Reco:MaxRequestBytes must be ≥ 1024 and the device rate limits ≥ 1.");
        }
        if (DeviceTokenLifetime < TimeSpan.FromSeconds(1) || RegistrationsPerAddressPerMinute < 1 || RegistrationBurstPerAddress < 1
            || RegistrationsPerSecond < 1 || MaxConcurrentIngests < 1 || IngestQueueLimit < 0)
        {
            throw new InvalidOperationException(
                "Reco:DeviceTokenLifetime must be ≥ 1 s, the registration limits and MaxConcurrentIngests ≥ 1, IngestQueueLimit ≥ 0.");
        }
        if (MetricsScrapeKey is { } scrape && string.IsNullOrWhiteSpace(scrape))
        {
            throw new InvalidOperationException("Reco:MetricsScrapeKey must not be blank (leave it unset for loopback-only scraping).");
        }
        if (AdminSessionLifetime < TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException("Reco:AdminSessionLifetime must be at least a minute.");
        }
        if (ExposureRefresh < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Reco:ExposureRefresh must not be negative.");
        }
        if (CatalogueCheckInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException("Reco:CatalogueCheckInterval must be at least 100 ms.");
        }
        Retraining.Validate();
        if (CatalogueDirectory is null && Retraining.EffectiveRecipes.FirstOrDefault(r => OnDeviceReco.Trainer.Models.ModelCatalogue.Find(r).UseText) is { } text)
        {
            throw new InvalidOperationException($"Reco:Retraining names '{text}', a text recipe: it reads the items' titles and categories from Reco:CatalogueDirectory, which is not set.");
        }
        Privacy.Validate();
        Experiments.Validate();
    }
}

/// <summary>The automatic retraining job's schedule and recipe.</summary>
public sealed class RetrainingOptions
{
    /// <summary>Whether the job runs at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>New events since the last training that start the next one.</summary>
    public int MinNewEvents { get; set; } = 10_000;

    /// <summary>How often the job checks the threshold.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Model recipe by name (sasrec, sasrec-bce, gru).</summary>
    public string Model { get; set; } = "sasrec";

    /// <summary>
    /// Candidate recipes (e.g. ["sasrec", "gru"]): each is trained on the same data, the one with the best
    /// validation NDCG@10 (each user's second-newest event; the newest stays held out for the gate) is the
    /// candidate the gate compares with the serving model. Null or empty trains <see cref="Model"/> alone, as
    /// before; every extra recipe adds its training time to a run.
    /// </summary>
#pragma warning disable CA1819 // bound from configuration as a JSON array
    public string[]? Recipes { get; set; }
#pragma warning restore CA1819

    /// <summary>The recipes a run trains, in order.</summary>
    public IReadOnlyList<string> EffectiveRecipes => Recipes is { Length: > 0 } list ? list : [Model];

    /// <summary>Epoch cap; null keeps the recipe's. Early stopping usually ends training sooner.</summary>
    public int? MaxEpochs { get; set; }

    /// <summary>
    /// Which softmax full-softmax recipes train with: "auto" (the default) picks full or sampled from the catalogue's
    /// size (<see cref="OnDeviceReco.Trainer.Models.CatalogueRecipe"/>), "full" or "sampled" forces one.
    /// </summary>
    public string Softmax { get; set; } = "auto";

    /// <summary>
    /// Wall-clock training limit per recipe (the epoch in progress finishes and the best-on-validation weights are
    /// kept); null takes the trainer's default, <see cref="TimeSpan.Zero"/> switches it off.
    /// </summary>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>The budget a run uses: null when switched off.</summary>
    public TimeSpan? EffectiveTimeBudget => TimeBudget is null ? OnDeviceReco.Trainer.Models.CatalogueRecipe.DefaultTimeBudget
        : TimeBudget == TimeSpan.Zero ? null : TimeBudget;

    /// <summary>Torch threads.</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// How much better (held-out NDCG@10) a candidate must be than the serving model to be published. 0, the
    /// default, publishes any candidate that is not worse; a positive margin keeps noise-level changes back.
    /// </summary>
    public double MinImprovement { get; set; }

    /// <summary>Seed for initialisation, batching and evaluation sampling.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// After the gate accepts a candidate, train the same recipe again on everything — each user's newest events
    /// included — for the candidate's best number of epochs, and publish that freshest model instead (the gate's
    /// numbers stay the candidate's). Off by default: it doubles a run's training time.
    /// </summary>
    public bool RefitOnAllData { get; set; }

    /// <summary>
    /// With a catalogue directory, encode the items' text (title, categories, description; cached by text hash, so only
    /// new or changed items are encoded) and ship newcomers' questions chosen for coverage of the text space in each
    /// bundle; devices ask them first. The device never runs the text model. Off by default: on the feedback loop's
    /// validation newcomers these questions did worse than the device's own choice over the model's item vectors
    /// (docs/measurements.md, Onboarding).
    /// </summary>
    public bool TextOnboarding { get; set; }

    public void Validate()
    {
        if (MinNewEvents < 1 || CheckInterval <= TimeSpan.Zero || Threads < 1 || MaxEpochs is < 1 || MinImprovement < 0 || !double.IsFinite(MinImprovement)
            || TimeBudget < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Reco:Retraining has a value out of range (MinNewEvents, CheckInterval, Threads and MaxEpochs must be positive, MinImprovement and TimeBudget ≥ 0).");
        }
        if (Softmax is not ("auto" or "full" or "sampled"))
        {
            throw new InvalidOperationException($"Reco:Retraining:Softmax must be 'auto', 'full' or 'sampled'; got '{Softmax}'.");
        }
        var known = OnDeviceReco.Trainer.Models.ModelConfig.Catalogue.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (EffectiveRecipes.FirstOrDefault(r => !known.Contains(r)) is { } unknown)
        {
            throw new InvalidOperationException($"Reco:Retraining names an unknown recipe '{unknown}'. Known: {string.Join(", ", known)}.");
        }
        if (EffectiveRecipes.Distinct(StringComparer.Ordinal).Count() != EffectiveRecipes.Count)
        {
            throw new InvalidOperationException("Reco:Retraining:Recipes lists a recipe twice.");
        }
    }
}
