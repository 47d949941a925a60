using System.Net;
using System.Net.Http.Headers;

namespace OnDeviceReco.Sync;

/// <summary>Which failures are worth retrying, and how long to wait: exponential backoff with full jitter, or what the server asked.</summary>
internal static class RetryPolicy
{
    /// <summary>Timeouts, throttling and server-side failures pass; everything else in 4xx is the request's fault.</summary>
    public static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>Full jitter (uniform in [0, min(max, initial × 2^attempt)]): devices that failed together do not retry together.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan initial, TimeSpan max)
    {
        double ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>The server's Retry-After (seconds or a date), or null.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
