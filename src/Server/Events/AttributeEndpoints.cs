using OnDeviceReco.Protocol.Events;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Events;

/// <summary>
/// POST /v1/attributes: a device's user attribute changes in, an acknowledgement out. Each change is checked with
/// the shared <see cref="AttributeContract"/>; the store keeps the newest change per (device, user, key), so a
/// resend lands once, and at most <see cref="InputLimits.MaxUserAttributes"/> values per user, the newest by change
/// number (a batch that takes a user past that is stored, and the oldest values dropped: see
/// <see cref="IUserAttributeStore"/>). Timestamps are put on the server's clock (<see cref="DeviceClock"/>);
/// which change wins never depends on them. A batch with an invalid change is refused whole (400) and nothing of it is stored.
/// </summary>
public static class AttributeEndpoints
{
    public static void MapAttributeEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/attributes", Ingest)
            .RequireApiKey()
            .RequireDevice()
            .RequireRateLimiting(RateLimits.DevicePolicy)
            .AddEndpointFilter(IngestGate.Filter)
            .WithName("IngestAttributes")
            .WithSummary("Stores a MessagePack batch of user attribute changes (the newest change per device, user and key wins; at most 32 values per user, the newest kept) and acknowledges it.")
            .Accepts<byte[]>(WireCodec.ContentType)
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> Ingest(HttpContext http, IUserAttributeStore store, ServerOptions options, ServerMetrics metrics,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("OnDeviceReco.Server.Attributes");
        string device = http.RequestServices.GetRequiredService<LogNames>().Device(http.AuthenticatedDevice());
        var (batch, _, problem) = await DeviceMessages.ReadAsync<AttributeBatch>(http, options, metrics, log, "attribute batch", bytes => WireCodec.DecodeAttributeBatch(bytes), b => b.DeviceId, cancellationToken);
        if (batch is null)
        {
            return problem!;
        }
        // Times on the server's clock first, as for events: a device whose clock is wrong (or before 1970) is corrected,
        // never refused — a refused attribute batch would be sent again, and refused again, at every sync.
        var now = clock.GetUtcNow();
        batch = DeviceClock.Correct(batch, DeviceClock.OffsetMs(http.Request.Headers[DeviceClock.Header], now), now);
        foreach (var change in batch.Changes)
        {
            if (AttributeContract.CheckSynced(change.UserId, change.Key, change.Value, change.TimestampMs) is { } violation)
            {
                log.LogWarning("Attribute batch {BatchId} from {Device} holds an invalid change: {Reason}", batch.BatchId, device, violation.Message);
                return EventEndpoints.Refuse(metrics, StatusCodes.Status400BadRequest, "Invalid attribute", $"Change with sequence id {change.Sequence}: {violation.Message}");
            }
        }
        AttributeIngestResult result;
        try
        {
            result = store.IngestAttributes(batch);
        }
        catch (DeviceErasedException)
        {
            return Devices.DeviceEndpoints.Gone(metrics);
        }
        if (result.Evicted > 0)
        {
            log.LogWarning("Attribute batch {BatchId} from {Device} took a user past {Max} attributes: the {Evicted} oldest were dropped",
                batch.BatchId, device, InputLimits.MaxUserAttributes, result.Evicted);
        }
        log.LogDebug("Attribute batch {BatchId} from {Device}: {Applied} applied, {Already} already applied", batch.BatchId, device, result.Applied, result.AlreadyApplied);
        var ack = new AttributeAck(batch.BatchId, batch.LastSequence, result.Applied, result.AlreadyApplied, result.HighestSequence);
        return Results.Bytes(WireCodec.Encode(ack), WireCodec.ContentType);
    }
}
