using System.Diagnostics;
using System.Security.Cryptography;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Events;

/// <summary>POST /v1/events: a device's batch in, an acknowledgement out — exactly once however often it is sent.</summary>
public static class EventEndpoints
{
    /// <summary>ProblemDetails extension listing the sequence ids of events refused for good (a device sets them aside).</summary>
    public const string InvalidSequencesKey = "invalidSequences";

    public static void MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/events", Ingest)
            .RequireApiKey()
            .RequireDevice()
            .RequireRateLimiting(RateLimits.DevicePolicy)
            .AddEndpointFilter(IngestGate.Filter)
            .WithName("IngestEvents")
            .WithSummary("Stores a MessagePack event batch once and acknowledges it (idempotent by batch id). "
                + $"A batch holding events that break the event contract is refused whole with 400 and their sequence ids in '{InvalidSequencesKey}'.")
            .Accepts<byte[]>(WireCodec.ContentType)
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> Ingest(HttpContext http, IFeedbackIngest store, ServerOptions options, ServerMetrics metrics,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("OnDeviceReco.Server.Events");
        var started = Stopwatch.GetTimestamp();
        string device = http.RequestServices.GetRequiredService<LogNames>().Device(http.AuthenticatedDevice());
        var (batch, body, problem) = await DeviceMessages.ReadAsync<EventBatch>(http, options, metrics, log, "batch", bytes => WireCodec.DecodeBatch(bytes), b => b.DeviceId, cancellationToken);
        if (batch is null)
        {
            return problem!;
        }
        if (EventRules.Check(batch) is { Count: > 0 } invalid)
        {
            log.LogWarning("Batch {BatchId} from {Device} holds {Count} invalid events; first: {Reason}", batch.BatchId, device, invalid.Count, invalid[0].Violation.Message);
            metrics.Rejected(StatusCodes.Status400BadRequest);
            return Results.Problem(
                $"Event with sequence id {invalid[0].Sequence}: {invalid[0].Violation.Message}",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid event",
                extensions: new Dictionary<string, object?> { [InvalidSequencesKey] = invalid.Select(v => v.Sequence).ToArray() });
        }
        var now = clock.GetUtcNow();
        batch = DeviceClock.Correct(batch, DeviceClock.OffsetMs(http.Request.Headers[DeviceClock.Header], now), now);
        IngestResult result;
        try
        {
            result = await store.IngestAsync(batch, SHA256.HashData(body!));
        }
        catch (BatchConflictException e)
        {
            log.LogWarning("Batch {BatchId} from {Device} reuses an id with different content", batch.BatchId, device);
            return Refuse(metrics, StatusCodes.Status409Conflict, "Batch id reused", e.Message);
        }
        catch (DeviceErasedException)
        {
            log.LogInformation("Batch {BatchId} from erased device {Device} refused", batch.BatchId, device);
            return Devices.DeviceEndpoints.Gone(metrics);
        }
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        metrics.Ingested(result.Stored, result.AlreadyStored, result.Replayed, body!.Length, seconds);
        log.LogDebug("Batch {BatchId} from {Device}: {Stored} stored, {AlreadyStored} already stored, replayed {Replayed}, through {Through}",
            batch.BatchId, device, result.Stored, result.AlreadyStored, result.Replayed, result.AcceptedThrough);
        if (result.ConflictingSequences.Count > 0)
        {
            metrics.Conflicting(result.ConflictingSequences.Count);
            log.LogWarning("Batch {BatchId} from {Device}: {Count} events reuse sequence ids the server holds with other events (a store restored from a backup?); first {First}, highest held {Highest}",
                batch.BatchId, device, result.ConflictingSequences.Count, result.ConflictingSequences[0], result.HighestSequence);
        }
        return Results.Bytes(WireCodec.Encode(Acknowledgement(batch, result, http.Request.Headers.ContainsKey(BatchAck.ConflictsHeader))), WireCodec.ContentType);
    }

    /// <summary>
    /// The answer to <paramref name="batch"/>. A device that did not say it reads conflicts takes exactly five fields:
    /// it hears its conflicting events as already stored, as before conflicts were told apart (it could do nothing else
    /// with them, and an answer it cannot read would stop its sync for good).
    /// </summary>
    private static BatchAck Acknowledgement(EventBatch batch, IngestResult result, bool readsConflicts) => readsConflicts
        ? new BatchAck(batch.BatchId, result.AcceptedThrough, result.Stored, result.AlreadyStored, result.Replayed, result.HighestSequence, result.Conflicting)
        : new BatchAck(batch.BatchId, result.AcceptedThrough, result.Stored, result.AlreadyStored + result.ConflictingSequences.Count, result.Replayed);

    /// <summary>A ProblemDetails refusal, counted under its status.</summary>
    internal static IResult Refuse(ServerMetrics metrics, int status, string title, string detail)
    {
        metrics.Rejected(status);
        return Results.Problem(detail, statusCode: status, title: title);
    }
}
