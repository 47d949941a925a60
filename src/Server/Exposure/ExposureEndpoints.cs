using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Exposure;

/// <summary>The population's exposure, for devices exploring where the population knows least.</summary>
public static class ExposureEndpoints
{
    public static void MapExposureEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/exposure", async (ExposureSnapshot snapshot, HttpContext http, CancellationToken cancellationToken) =>
            {
                try
                {
                    var (signed, entityTag) = await snapshot.SignedAsync(cancellationToken);
                    http.Response.Headers.ETag = entityTag;
                    // A device that keeps this very table asks with its tag: nothing to download.
                    return http.Request.Headers.IfNoneMatch.Contains(entityTag)
                        ? Results.StatusCode(StatusCodes.Status304NotModified)
                        : Results.Bytes(signed, WireCodec.ContentType);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Logged where it was counted; the device keeps the table it has.
                    return Results.Problem("The exposure table could not be counted; try again later.",
                        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Exposure unavailable");
                }
            })
            .RequireApiKey().RequireDevice().RequireRateLimiting(RateLimits.DevicePolicy)
            .WithName("Exposure")
            .WithSummary("Per item, on how many devices it was shown, signed with the model key (MessagePack, SignedExposure).")
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }
}
