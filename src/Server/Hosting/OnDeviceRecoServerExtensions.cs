using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OnDeviceReco.Server.Admin;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Catalogue;
using OnDeviceReco.Server.Devices;
using OnDeviceReco.Server.Events;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Exposure;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Privacy;
using OnDeviceReco.Server.Retraining;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// The server as a library, for a team that hosts it in its own ASP.NET Core app:
/// <c>builder.Services.AddOnDeviceRecoServer(builder.Configuration.GetSection("Reco"))</c>, then
/// <c>app.MapOnDeviceReco()</c>. <see cref="RecoServer.Build"/> is the same two calls plus Kestrel settings.
/// </summary>
public static class OnDeviceRecoServerExtensions
{
    /// <summary>Registers the server with options bound from <paramref name="section"/> (e.g. "Reco"), validated when the host starts.</summary>
    public static IServiceCollection AddOnDeviceRecoServer(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<ServerOptions>().Bind(section);
        return services.AddValidatedOptions();
    }

    /// <summary>Registers the server with options set in code, validated when the host starts.</summary>
    public static IServiceCollection AddOnDeviceRecoServer(this IServiceCollection services, Action<ServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ServerOptions>().Configure(configure);
        return services.AddValidatedOptions();
    }

    /// <summary>Registers the server with a finished options object, validated now (it is already complete).</summary>
    public static IServiceCollection AddOnDeviceRecoServer(this IServiceCollection services, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        return services.AddServerServices();
    }

    /// <summary>
    /// Adds the middleware the endpoints rely on (unhandled errors and bare status codes as ProblemDetails, the
    /// per-device rate limiter) and maps the device API (/v1/devices, /v1/events, /v1/models), the operator API
    /// (/v1/admin), the operator dashboard (/admin), /metrics, /health and /openapi/v1.json.
    /// </summary>
    public static WebApplication MapOnDeviceReco(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapHealthChecks("/health");
        app.MapEventEndpoints();
        app.MapAttributeEndpoints();
        app.MapModelEndpoints();
        app.MapCatalogueEndpoints();
        app.MapExperimentEndpoints();
        app.MapExposureEndpoints();
        app.MapDeviceEndpoints();
        app.MapDeviceExportEndpoints();
        app.MapServerTelemetry();
        app.MapAdminEndpoints();
        return app;
    }

    // A bad setting stops the host at start with every problem named, not at the first request that needs it.
    private static IServiceCollection AddValidatedOptions(this IServiceCollection services)
    {
        services.AddOptions<ServerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>());
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<ServerOptions>>().Value);
        return services.AddServerServices();
    }

    private static IServiceCollection AddServerServices(this IServiceCollection services)
    {
        services.AddSingleton(provider => PrivacyKeys.LoadOrCreate(SecretsDirectory(provider)));
        services.AddSingleton(provider => PseudonymKeys.LoadOrCreate(SecretsDirectory(provider), provider.GetRequiredService<ServerOptions>().Privacy.PseudonymPeriod));
        services.AddSingleton<LogNames>();
        services.AddSingleton(provider => FeedbackStores.Create(provider.GetRequiredService<ServerOptions>(), provider.GetRequiredService<PrivacyKeys>().Erasure,
            provider.GetRequiredService<IdPseudonyms>()));
        // Each part of the one store, for the consumers that need only that part (the store tolerates being disposed once per registration).
        services.AddSingleton<IFeedbackIngest>(provider => provider.GetRequiredService<IFeedbackStore>());
        services.AddSingleton<IUserAttributeStore>(provider => provider.GetRequiredService<IFeedbackStore>());
        services.AddSingleton<IModelRegistryStore>(provider => provider.GetRequiredService<IFeedbackStore>());
        services.AddSingleton<IFeedbackReader>(provider => provider.GetRequiredService<IFeedbackStore>());
        services.AddSingleton<IExperimentStore>(provider => provider.GetRequiredService<IFeedbackStore>());
        services.AddSingleton<IDeviceDataExport>(provider => provider.GetRequiredService<IFeedbackStore>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => DeviceTokens.LoadOrCreate(Path.Combine(SecretsDirectory(provider), "device-token.secret"),
            provider.GetRequiredService<ServerOptions>().DeviceTokenLifetime, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RegistrationLimits>();
        services.AddSingleton<IngestGate>();
        services.AddSingleton(provider => new ModelSigning(SecretsDirectory(provider)));
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<ShippedCounts>();
        services.AddSingleton<ExperimentBook>();
        services.AddSingleton<ExperimentEvaluator>();
        services.AddSingleton<PopularityArm>();
        services.AddHostedService<ExperimentMonitor>();
        services.AddSingleton<ExposureSnapshot>();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<RetrainingTrigger>();
        services.AddSingleton<Catalogue.ServerTextVectors>();
        services.AddSingleton<Catalogue.CatalogueUpdater>();
        services.AddHostedService<Catalogue.CatalogueWatcher>();
        services.AddSingleton<RetrainingJob>();
        services.AddHostedService<RetrainingService>();
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddDeviceRateLimits();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("feedback-store");
        services.AddServerTelemetry();
        services.AddSingleton<AdminSessions>();
        services.AddSingleton<LoginThrottle>();
        return services;
    }

    /// <summary>Where the secrets every node must share live (<see cref="ServerOptions.SecretsDirectory"/>, else the data directory).</summary>
    private static string SecretsDirectory(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<ServerOptions>();
        string directory = options.SecretsDirectory ?? options.DataDirectory;
        Directory.CreateDirectory(directory);
        return directory;
    }

    private sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ServerOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }

    /// <summary>Health: the store answers a count query.</summary>
    private sealed class StoreHealthCheck(IFeedbackReader store) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var counts = store.Counts();
                return Task.FromResult(HealthCheckResult.Healthy($"{counts.Events} events from {counts.Devices} devices"));
            }
            catch (Exception e)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("The feedback store does not answer.", e));
            }
        }
    }
}
