using System.Threading.RateLimiting;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// Sign-in attempts per network address: a burst of 10, then 10 a minute — plenty for a person who mistyped,
/// useless for guessing a key.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        RateLimitPartition.GetTokenBucketLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 10,
            TokensPerPeriod = 10,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public bool TryAttempt(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(http);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
