using System.Threading.RateLimiting;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// A bound on event batches in flight across all devices. Each batch holds its body and decoded events in memory,
/// and device ids are cheap to mint, so per-device limits alone do not bound memory: this does. A request waits
/// in a short queue for a slot, else gets 503 with Retry-After (devices treat 503 as transient and come back).
/// The slot is taken before the body is read.
/// </summary>
public sealed class IngestGate(ServerOptions options) : IDisposable
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.MaxConcurrentIngests,
        QueueLimit = options.IngestQueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Batches being processed now.</summary>
    public int InFlight => options.MaxConcurrentIngests - (int)(_limiter.GetStatistics()?.CurrentAvailablePermits ?? 0);

    /// <summary>Batches waiting for a slot.</summary>
    public int Queued => (int)(_limiter.GetStatistics()?.CurrentQueuedCount ?? 0);

    public void Dispose() => _limiter.Dispose();

    /// <summary>An endpoint filter that runs the rest of the request inside a slot.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var gate = http.RequestServices.GetRequiredService<IngestGate>();
        using var lease = await gate._limiter.AcquireAsync(1, http.RequestAborted);
        if (!lease.IsAcquired)
        {
            http.RequestServices.GetRequiredService<ServerMetrics>().Rejected(StatusCodes.Status503ServiceUnavailable);
            http.Response.Headers.RetryAfter = "1";
            return Results.Problem("The server is busy with other uploads; retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy");
        }
        return await next(context);
    }
}
