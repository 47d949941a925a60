using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// OpenTelemetry metrics with the Prometheus exporter on <c>/metrics</c>: the server's own meter and ASP.NET Core's
/// request metrics (<c>http_server_request_duration_seconds</c> by route and status). Who may scrape is
/// <see cref="MetricsAccess"/>'s decision.
/// </summary>
public static class Telemetry
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddServerTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .ConfigureResource(resource => resource.AddService("ondevicereco-server"))
            .AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting")
            .AddPrometheusExporter(exporter =>
            {
                // Two scrapers (or a retry) within a second get the same snapshot instead of two collections.
                exporter.ScrapeResponseCacheDurationMilliseconds = 1000;
            }));
        // Meters are matched by name across the whole process; keep only this host's, so a second server in the
        // same process (tests, the in-process demo) cannot leak its numbers into this one's scrape.
        services.ConfigureOpenTelemetryMeterProvider((provider, builder) =>
        {
            var own = provider.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => instrument.Meter.Scope == own ? null : MetricStreamConfiguration.Drop);
        });
        services.AddSingleton<ServerGauges>();
        services.AddSingleton<Experiments.ExperimentGauges>();
        services.AddHostedService<GaugeStarter>();
        return services;
    }

    public static void MapServerTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath, meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(MetricsAccess.Check), optionsName: null);
    }

    /// <summary>
    /// Gauges register when constructed: done as the host starts, before anyone scrapes — not while mapping, which
    /// would build the store before the host had validated the options.
    /// </summary>
    private sealed class GaugeStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<ServerGauges>();
            services.GetRequiredService<Experiments.ExperimentGauges>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
