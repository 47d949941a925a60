using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OnDeviceReco.Server.Auth;

namespace OnDeviceReco.Server.Hosting;

/// <summary>A token bucket per authenticated device (else per address); refusals are 429 ProblemDetails with Retry-After.</summary>
public static class RateLimits
{
    public const string DevicePolicy = "device";

    // Options are read per partition, from the app's services: with AddOnDeviceRecoServer they are bound later.
    public static IServiceCollection AddDeviceRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(DevicePolicy, http =>
            {
                // A device's own bucket only for requests that prove they are that device; anything else shares
                // its address's bucket, so nobody can spend another device's allowance by naming it.
                string device = http.Request.Headers[AuthFilters.DeviceIdHeader].ToString();
                string authorization = http.Request.Headers.Authorization.ToString();
                string key = device.Length > 0 && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                    && http.RequestServices.GetRequiredService<DeviceTokens>().IsValid(device, authorization["Bearer ".Length..])
                    ? "device:" + device
                    : "address:" + http.Connection.RemoteIpAddress;
                var options = http.RequestServices.GetRequiredService<ServerOptions>();
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
