using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Retraining;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Models;

/// <summary>
/// Model delivery: GET /v1/models/latest (the serving release), GET /v1/models/{version} (its signed package);
/// and for operators: the version list, rollback, retrain now.
/// </summary>
public static class ModelEndpoints
{
    public static void MapModelEndpoints(this IEndpointRouteBuilder routes)
    {
        var devices = routes.MapGroup("/v1/models").RequireApiKey().RequireDevice().RequireRateLimiting(RateLimits.DevicePolicy);
        devices.MapGet("/latest", (HttpContext http, ModelRegistry registry, ExperimentBook experiments) =>
            {
                // Only a device that says it reads the arm is put in an experiment: an older one keeps the serving version.
                if (http.Request.Headers.ContainsKey(ExperimentArm.RequestHeader)
                    && experiments.ArmOf(http.AuthenticatedDevice()) is { } arm && registry.ReleaseOf(arm.ModelVersion) is { } armRelease)
                {
                    return Results.Bytes(WireCodec.Encode(armRelease with { Arm = arm }), WireCodec.ContentType);
                }
                return registry.Serving is { } release
                    ? Results.Bytes(WireCodec.Encode(release), WireCodec.ContentType)
                    : Results.Problem("No model has been published yet; devices serve popularity and content.",
                        statusCode: StatusCodes.Status404NotFound, title: "No model");
            })
            .WithName("LatestModel")
            .WithSummary("The release this device should run (MessagePack ModelRelease): its experiment arm's, else the serving one.")
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        devices.MapGet("/{version:long}", (HttpContext http, long version, ModelRegistry registry, ExperimentBook experiments, ServerMetrics metrics) =>
            {
                // An untried treatment is for its arm's devices only; to every other device it does not exist.
                if (!experiments.MayDownload(http.AuthenticatedDevice(), version) || registry.PackageBytes(version) is not { } package)
                {
                    return Results.Problem($"Model version {version} was never published.", statusCode: StatusCodes.Status404NotFound, title: "No such model");
                }
                metrics.ModelDownloaded(version);
                return Results.Bytes(package, WireCodec.ContentType);
            })
            .WithName("ModelPackage")
            .WithSummary("The signed bundle of a published version (MessagePack ModelPackage); devices verify it before use.")
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var operators = routes.MapGroup("/v1/admin").RequireAdmin();
        operators.MapGet("/models", (IModelRegistryStore store) => Results.Ok(store.Models()))
            .WithSummary("Every trained version with its evaluation and whether it was published.");
        operators.MapPost("/models/{version:long}/serve", (long version, ModelRegistry registry) => registry.Rollback(version)
                ? Results.Ok(registry.Serving)
                : Results.Problem($"Model version {version} was never published.", statusCode: StatusCodes.Status404NotFound, title: "No such model"))
            .WithSummary("Serves an earlier published version again (rollback).");
        operators.MapPost("/retrain", (RetrainingTrigger trigger) =>
            {
                trigger.RequestNow();
                return Results.Accepted();
            })
            .WithSummary("Starts a retraining run now, whatever the threshold says.");
        operators.MapGet("/stats", (IFeedbackReader store, ServerMetrics metrics, ModelRegistry registry, RetrainingTrigger trigger) =>
            {
                var counts = store.Counts();
                return Results.Ok(new ServerStats(counts.Events, counts.Devices, counts.Batches, metrics.AlreadyStoredTotal,
                    metrics.ReplayedTotal, metrics.RejectedTotal, registry.Serving?.ModelVersion, trigger.RunsCompleted, trigger.LastError));
            })
            .WithSummary("Totals: events, devices, batches, resends, refusals, serving version, retraining runs.");
    }
}

/// <summary>What GET /v1/admin/stats returns.</summary>
public sealed record ServerStats(long Events, long Devices, long Batches, long AlreadyStored, long ReplayedBatches, long RejectedRequests,
    long? ServingVersion, int RetrainingRuns, string? LastRetrainingError);
