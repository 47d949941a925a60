using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;

namespace ReplayMovieLens;

/// <summary>The real server, in this process, on a free loopback port; read through its admin API like an operator would.</summary>
internal sealed class LoopServer : IAsyncDisposable
{
    public const string ApiKey = "demo-app-key";
    private const string AdminKey = "demo-admin-key";
    private readonly WebApplication _app;
    private readonly HttpClient _admin;
    private readonly RetrainingOptions _retraining;

    private LoopServer(WebApplication app, RetrainingOptions retraining, Uri address, string publicKeyPem)
    {
        _app = app;
        _retraining = retraining;
        Address = address;
        PublicKeyPem = publicKeyPem;
        _admin = new HttpClient { BaseAddress = address };
        _admin.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
    }

    public Uri Address { get; }

    /// <summary>The server's model-signing public key: what an app ships as its trusted key.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Starts the server with its retraining threshold out of reach until <see cref="RetrainOnce"/> sets it.</summary>
    public static async Task<LoopServer> StartAsync(string dataDirectory, string catalogueDirectory, int maxEpochs, int seed = 42)
    {
        var options = new ServerOptions
        {
            DataDirectory = dataDirectory,
            Urls = "http://127.0.0.1:0",
            ApiKeys = [ApiKey],
            AdminKey = AdminKey,
            CatalogueDirectory = catalogueDirectory,
            // Simulated devices replay months of behaviour in seconds; a real device makes a few requests a day.
            DeviceRequestsPerSecond = 1_000,
            DeviceRequestBurst = 1_000,
            // All 671 simulated devices register from this one loopback address within seconds.
            RegistrationsPerAddressPerMinute = 100_000,
            RegistrationBurstPerAddress = 100_000,
            RegistrationsPerSecond = 100_000,
            // Months pass in seconds here too: the exposure table exploring devices pull is recounted as often.
            ExposureRefresh = TimeSpan.FromSeconds(1),
            // Phase C tries v2 on half of the devices against v1; the loop looks at the experiment after each round of syncs.
            Experiments = new ExperimentOptions { NewVersionShare = 0.5, EvaluationInterval = TimeSpan.FromHours(1) },
            Retraining = new RetrainingOptions
            {
                MinNewEvents = int.MaxValue,
                CheckInterval = TimeSpan.FromSeconds(2),
                MaxEpochs = maxEpochs,
                Seed = seed,
            },
        };
        var app = RecoServer.Build(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("OnDeviceReco.Server.Retraining", LogLevel.Information);
        });
        await app.StartAsync();
        var address = app.ListeningAddress();
        return new LoopServer(app, options.Retraining, address, app.Services.GetRequiredService<ModelSigning>().PublicKeyPem);
    }

    /// <summary>
    /// Sets the server's retraining threshold to the <paramref name="newEvents"/> a phase just stored, so it retrains by
    /// itself at its next check, on exactly that phase — then puts the threshold out of reach again until the next phase
    /// ends. With hundreds of devices syncing at once, a threshold crossed mid-phase would train each run on whichever
    /// devices happened to have synced (in one run 604 users, in the next 530), and no two runs would be comparable.
    /// </summary>
    public async Task<ServerStats> RetrainOnceAsync(long newEvents, long version, TimeSpan timeout)
    {
        _retraining.MinNewEvents = (int)Math.Clamp(newEvents, 1, int.MaxValue);
        try
        {
            return await WaitForModelAsync(version, timeout);
        }
        finally
        {
            _retraining.MinNewEvents = int.MaxValue;
        }
    }

    public async Task<ServerStats> StatsAsync() =>
        (await _admin.GetFromJsonAsync<ServerStats>("v1/admin/stats"))!;

    private const int MaxFailedRuns = 2;

    /// <summary>
    /// Publishes a broken candidate as <paramref name="version"/> in place of a trained one: v1's bundle with its item
    /// vectors shuffled, signed with the server's key; like any new version it starts as an experiment.
    /// </summary>
    public ServerStats PublishBrokenCandidate(long version, int seed)
    {
        var registry = _app.Services.GetRequiredService<ModelRegistry>();
        var signing = _app.Services.GetRequiredService<ModelSigning>();
        BrokenCandidate.Write(registry.VerifyPublished(version - 1), version, registry.BundleDirectory(version), signing.Key, seed);
        _app.Services.GetRequiredService<ExperimentBook>().PublishNewVersion(registry.Verify(version), "{}", "published: --bad-candidate (item vectors shuffled)");
        return StatsAsync().GetAwaiter().GetResult();
    }

    /// <summary>
    /// The running experiment trying <paramref name="version"/>, or null after <paramref name="timeout"/>. The server
    /// stores a new version and its experiment together, but this node's view of the experiments may be up to
    /// <see cref="ExperimentBook.Refresh"/> old when <see cref="WaitForModelAsync"/> returns.
    /// </summary>
    public async Task<ExperimentDefinition?> ExperimentTryingAsync(long version, TimeSpan timeout)
    {
        var book = _app.Services.GetRequiredService<ExperimentBook>();
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (book.Running is { } running && running.TreatmentVersion == version)
            {
                return running;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                return null;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Looks at an experiment now, as the server's monitor would after a round of syncs; the decision is applied.</summary>
    public async Task<ExperimentEvaluation> EvaluateAsync(string experimentId)
    {
        using var response = await _admin.PostAsync($"v1/admin/experiments/{experimentId}/evaluate", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ExperimentEvaluation>())!;
    }

    /// <summary>Waits until the server published version ≥ <paramref name="version"/> (serving, or tried in an experiment), or reports what it decided instead.</summary>
    public async Task<ServerStats> WaitForModelAsync(long version, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        int runsBefore = (await StatsAsync()).RetrainingRuns;
        int failedRuns = 0;
        while (true)
        {
            var stats = await StatsAsync();
            if ((await ModelsAsync()).Any(m => m.Published && m.Version >= version))
            {
                return stats;
            }
            if (stats.RetrainingRuns > runsBefore)
            {
                // A run that failed (an exception, not a kept-back candidate) leaves the threshold crossed, so the
                // server runs it again at its next check, from the same events and seed: wait for that, twice at most.
                if (stats.LastRetrainingError is { } error && ++failedRuns <= MaxFailedRuns)
                {
                    Console.WriteLine($"  retraining failed ({error.Split('\n')[0]}); the server runs it again");
                    runsBefore = stats.RetrainingRuns;
                    continue;
                }
                throw new InvalidOperationException(
                    $"Retraining ran but model v{version} was not published ({stats.LastRetrainingError ?? "the candidate was worse than the serving model"}).");
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"No model v{version} after {timeout.TotalMinutes:0} minutes.");
            }
            await Task.Delay(500);
        }
    }

    public async Task<IReadOnlyList<OnDeviceReco.Feedback.ModelRecord>> ModelsAsync() =>
        (await _admin.GetFromJsonAsync<List<OnDeviceReco.Feedback.ModelRecord>>("v1/admin/models"))!;

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
