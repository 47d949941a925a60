using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OnDeviceReco.Server.Auth;

namespace OnDeviceReco.Server.Hosting;

/// <summary>A token bucket per device (by X-Device-Id, else by address); refusals are 429 ProblemDetails with Retry-After.</summary>
public static class RateLimits
{
    public const string DevicePolicy = "device";

    public static IServiceCollection AddDeviceRateLimits(this IServiceCollection services, ServerOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(DevicePolicy, http =>
            {
                string key = http.Request.Headers[AuthFilters.DeviceIdHeader].ToString() is { Length: > 0 } device
                    ? "device:" + device
                    : "address:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.DeviceRequestBurst,
                    TokensPerPeriod = options.DeviceRequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                context.HttpContext.RequestServices.GetRequiredService<ServerMetrics>().Rejected(StatusCodes.Status429TooManyRequests);
                await Results.Problem($"Too many requests from this device; retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests")
                    .ExecuteAsync(context.HttpContext);
            };
        });
}
