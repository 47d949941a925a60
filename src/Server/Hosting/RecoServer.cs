using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnDeviceReco.Server.Admin;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Devices;
using OnDeviceReco.Server.Events;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Retraining;
using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Server.Hosting;

/// <summary>Builds the server: Kestrel on <see cref="ServerOptions.Urls"/>, the endpoints by feature, the retraining job.</summary>
public static class RecoServer
{
    /// <param name="options">Validated before anything starts.</param>
    /// <param name="configure">Last word on the builder (logging, test settings).</param>
    /// <param name="args">Command-line arguments for the standard configuration sources.</param>
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null, string[]? args = null)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        // ASP.NET Core logs two Information lines per request; under device load that is thousands a second. Its
        // warnings and errors stay. Inserted first, so appsettings, environment and command line still override it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<IFeedbackStore>(_ => new SqliteFeedbackStore(Path.Combine(options.DataDirectory, "feedback.db")));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => DeviceTokens.LoadOrCreate(
            Path.Combine(options.DataDirectory, "device-token.secret"), options.DeviceTokenLifetime, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RegistrationLimits>();
        services.AddSingleton<IngestGate>();
        services.AddSingleton(_ => new ModelSigning(options.DataDirectory));
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<RetrainingTrigger>();
        services.AddSingleton<RetrainingJob>();
        services.AddHostedService<RetrainingService>();
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddDeviceRateLimits(options);
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("feedback-store");
        services.AddServerTelemetry();
        services.AddSingleton<AdminSessions>();
        services.AddSingleton<LoginThrottle>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapHealthChecks("/health");
        app.MapEventEndpoints();
        app.MapModelEndpoints();
        app.MapDeviceEndpoints();
        app.MapServerTelemetry();
        app.MapAdminEndpoints();
        return app;
    }

    /// <summary>
    /// The address a started app listens on — the port Kestrel picked when <see cref="ServerOptions.Urls"/>
    /// asked for port 0 (tests, benchmarks and the in-process demo run that way).
    /// </summary>
    public static Uri ListeningAddress(this WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>Health: the store answers a count query.</summary>
    private sealed class StoreHealthCheck(IFeedbackStore store) : IHealthCheck
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
