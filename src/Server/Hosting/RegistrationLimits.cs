using System.Globalization;
using System.Threading.RateLimiting;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// Registrations are the one request that needs no device credential and adds a row, so they have their own
/// budget: a token bucket per network address (one client cannot mint ids in bulk) chained with one for the
/// whole server (the device table cannot grow faster than an operator expects). Refusals are 429 with Retry-After.
/// </summary>
public sealed class RegistrationLimits : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public RegistrationLimits(ServerOptions options)
    {
        var perAddress = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            RateLimitPartition.GetTokenBucketLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RegistrationBurstPerAddress,
                TokensPerPeriod = options.RegistrationsPerAddressPerMinute,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        var global = PartitionedRateLimiter.Create<HttpContext, string>(_ =>
            RateLimitPartition.GetTokenBucketLimiter("all", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RegistrationsPerSecond,
                TokensPerPeriod = options.RegistrationsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _limiter = PartitionedRateLimiter.CreateChained(perAddress, global);
    }

    /// <summary>Null when the registration may go ahead, else the 429 to answer.</summary>
    public IResult? Refusal(HttpContext http, ServerMetrics metrics)
    {
        using var lease = _limiter.AttemptAcquire(http);
        if (lease.IsAcquired)
        {
            return null;
        }
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        metrics.Rejected(StatusCodes.Status429TooManyRequests);
        return Results.Problem($"Too many device registrations; retry after {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many registrations");
    }

    public void Dispose() => _limiter.Dispose();
}
