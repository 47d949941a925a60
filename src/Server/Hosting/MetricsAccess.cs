using System.Net;
using OnDeviceReco.Server.Auth;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// Who may read /metrics. Prometheus sends a bearer token natively (<c>authorization: credentials_file</c>) but
/// rarely custom headers, and the admin key can roll models back, so scraping has its own read-only key:
/// with <see cref="ServerOptions.MetricsScrapeKey"/> set, any address presenting <c>Authorization: Bearer &lt;key&gt;</c>
/// may scrape; without it, only clients on loopback (an agent or sidecar on the same host) may.
/// </summary>
public static class MetricsAccess
{
    /// <summary>Null when the request may scrape, else the refusal (401 wrong key, 403 not loopback).</summary>
    public static IResult? Refusal(ServerOptions options, IPAddress? remote, string authorization)
    {
        if (options.MetricsScrapeKey is { Length: > 0 } key)
        {
            const string scheme = "Bearer ";
            return authorization.StartsWith(scheme, StringComparison.Ordinal) && AuthFilters.SameSecret(key, authorization[scheme.Length..])
                ? null
                : Results.Problem("Scraping needs Authorization: Bearer with the metrics scrape key.",
                    statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }
        return remote is not null && IPAddress.IsLoopback(remote)
            ? null
            : Results.Problem("Without Reco:MetricsScrapeKey, /metrics answers loopback clients only.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
    }

    /// <summary>Middleware in front of the exporter.</summary>
    public static async Task Check(HttpContext http, RequestDelegate next)
    {
        var options = http.RequestServices.GetRequiredService<ServerOptions>();
        if (Refusal(options, http.Connection.RemoteIpAddress, http.Request.Headers.Authorization.ToString()) is { } refusal)
        {
            http.RequestServices.GetRequiredService<ServerMetrics>().AuthFailed("scrape_key");
            if (options.MetricsScrapeKey is not null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
            }
            await refusal.ExecuteAsync(http);
            return;
        }
        await next(http);
    }
}
