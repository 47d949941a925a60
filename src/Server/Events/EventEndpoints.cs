using System.Diagnostics;
using System.Security.Cryptography;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Server.Events;

/// <summary>POST /v1/events: a device's batch in, an acknowledgement out — exactly once however often it is sent.</summary>
public static class EventEndpoints
{
    public static void MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/events", Ingest)
            .RequireApiKey()
            .RequireDevice()
            .RequireRateLimiting(RateLimits.DevicePolicy)
            .WithName("IngestEvents")
            .WithSummary("Stores a MessagePack event batch once and acknowledges it (idempotent by batch id).")
            .Accepts<byte[]>(WireCodec.ContentType)
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> Ingest(HttpContext http, IFeedbackStore store, ServerOptions options, ServerMetrics metrics,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("OnDeviceReco.Server.Events");
        var started = Stopwatch.GetTimestamp();
        var (body, problem) = await RequestBodies.ReadAsync(http.Request, options.MaxRequestBytes, cancellationToken);
        if (problem is not null)
        {
            metrics.Rejected(StatusCodes.Status413PayloadTooLarge);
            return problem;
        }
        EventBatch batch;
        try
        {
            batch = WireCodec.DecodeBatch(body);
        }
        catch (ProtocolFormatException e)
        {
            log.LogWarning("Malformed batch from {DeviceId}: {Reason}", http.AuthenticatedDevice(), e.Message);
            return Refuse(metrics, StatusCodes.Status400BadRequest, "Malformed batch", e.Message);
        }
        if (batch.DeviceId != http.AuthenticatedDevice())
        {
            return Refuse(metrics, StatusCodes.Status403Forbidden, "Wrong device", "The batch belongs to another device than the token's.");
        }
        if (EventRules.Check(batch, DateTimeOffset.UtcNow) is { } invalid)
        {
            return Refuse(metrics, StatusCodes.Status400BadRequest, "Invalid event", invalid);
        }
        IngestResult result;
        try
        {
            result = store.Ingest(batch, SHA256.HashData(body!));
        }
        catch (BatchConflictException e)
        {
            log.LogWarning("Batch {BatchId} from {DeviceId} reuses an id with different content", batch.BatchId, batch.DeviceId);
            return Refuse(metrics, StatusCodes.Status409Conflict, "Batch id reused", e.Message);
        }
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        metrics.Ingested(result.Stored, result.AlreadyStored, result.Replayed, seconds);
        log.LogInformation("Batch {BatchId} from {DeviceId}: {Stored} stored, {AlreadyStored} already stored, replayed {Replayed}, through {Through}",
            batch.BatchId, batch.DeviceId, result.Stored, result.AlreadyStored, result.Replayed, result.AcceptedThrough);
        var ack = new BatchAck(batch.BatchId, result.AcceptedThrough, result.Stored, result.AlreadyStored, result.Replayed);
        return Results.Bytes(WireCodec.Encode(ack), WireCodec.ContentType);
    }

    private static IResult Refuse(ServerMetrics metrics, int status, string title, string detail)
    {
        metrics.Rejected(status);
        return Results.Problem(detail, statusCode: status, title: title);
    }
}
