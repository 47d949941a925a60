using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Events;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Server.Devices;

/// <summary>POST /v1/devices (get a device token with the app's API key) and DELETE /v1/devices/{id} (erase a device's data).</summary>
public static class DeviceEndpoints
{
    public static void MapDeviceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/devices", Register)
            .RequireApiKey()
            .RequireRateLimiting(RateLimits.DevicePolicy)
            .WithName("RegisterDevice")
            .WithSummary("Issues the token a device sends with its later requests (MessagePack DeviceRegistration in, DeviceCredential out).")
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        routes.MapDelete("/v1/devices/{deviceId}", Erase)
            .RequireApiKey()
            .RequireDevice()
            .WithName("EraseDevice")
            .WithSummary("Deletes every event the server holds from this device (the device asks with its own token).")
            .Produces<DeviceErasure>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> Register(HttpContext http, DeviceTokens tokens, ServerOptions options, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBodies.ReadAsync(http.Request, 4096, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            var registration = WireCodec.DecodeRegistration(body);
            if (registration.DeviceId.Length > EventRules.MaxDeviceIdLength)
            {
                return Results.Problem("The device id is too long.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid device id");
            }
            var credential = new DeviceCredential(registration.DeviceId, tokens.Issue(registration.DeviceId));
            return Results.Bytes(WireCodec.Encode(credential), WireCodec.ContentType);
        }
        catch (ProtocolFormatException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Malformed registration");
        }
    }

    private static IResult Erase(string deviceId, HttpContext http, IFeedbackStore store, ILoggerFactory loggers)
    {
        if (deviceId != http.AuthenticatedDevice())
        {
            return Results.Problem("A device may only erase its own data.", statusCode: StatusCodes.Status403Forbidden, title: "Wrong device");
        }
        long erased = store.EraseDevice(deviceId);
        loggers.CreateLogger("OnDeviceReco.Server.Devices").LogInformation("Erased {Events} events of device {DeviceId}", erased, deviceId);
        return Results.Ok(new DeviceErasure(deviceId, erased));
    }
}

/// <summary>What DELETE /v1/devices/{id} returns.</summary>
public sealed record DeviceErasure(string DeviceId, long ErasedEvents);
