using OnDeviceReco.Protocol.Events;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Events;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Devices;

/// <summary>POST /v1/devices (prove the device's secret, get a short-lived token) and DELETE /v1/devices/{id} (erase a device's data).</summary>
public static class DeviceEndpoints
{
    public static void MapDeviceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/devices", Register)
            .RequireApiKey()
            .WithName("RegisterDevice")
            .WithSummary("Binds a new device id to its secret, or checks the secret of a known one, and issues a short-lived token "
                + "(MessagePack DeviceRegistration in, DeviceCredential out). Rate-limited per address and overall.")
            .Produces<byte[]>(StatusCodes.Status200OK, WireCodec.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        routes.MapDelete("/v1/devices/{deviceId}", Erase)
            .RequireApiKey()
            .RequireDevice()
            .WithName("EraseDevice")
            .WithSummary("Deletes every event, attribute and batch record the server holds from this device, and its id, and refuses the id "
                + "from then on (registration and uploads: 410). The device asks with its own token; asking again erases nothing more.")
            .Produces<DeviceErasure>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> Register(HttpContext http, IFeedbackIngest store, DeviceTokens tokens, RegistrationLimits limits,
        ServerMetrics metrics, LogNames names, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (limits.Refusal(http, metrics) is { } tooMany)
        {
            return tooMany;
        }
        var (body, problem) = await RequestBodies.ReadAsync(http.Request, 4096, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        DeviceRegistration registration;
        try
        {
            registration = WireCodec.DecodeRegistration(body);
        }
        catch (ProtocolFormatException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Malformed registration");
        }
        if (EventContract.CheckText(registration.DeviceId, "device id", EventRules.MaxDeviceIdLength) is { } invalid)
        {
            return Results.Problem(invalid.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid device id");
        }
        var binding = store.BindDevice(registration.DeviceId, DeviceSecrets.Verifier(registration.Secret));
        var log = loggers.CreateLogger("OnDeviceReco.Server.Devices");
        if (binding == DeviceBinding.Erased)
        {
            log.LogInformation("Registration for erased device {Device} refused", names.Device(registration.DeviceId));
            return Gone(metrics);
        }
        if (binding == DeviceBinding.Mismatch)
        {
            log.LogWarning("Registration for {Device} with a wrong secret refused", names.Device(registration.DeviceId));
            metrics.Rejected(StatusCodes.Status401Unauthorized);
            return Results.Problem("This device id is registered with another secret.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }
        log.LogDebug("Device {Device} {Binding}", names.Device(registration.DeviceId), binding == DeviceBinding.Bound ? "registered" : "renewed its token");
        var credential = new DeviceCredential(registration.DeviceId, tokens.Issue(registration.DeviceId), (long)tokens.Lifetime.TotalSeconds);
        return Results.Bytes(WireCodec.Encode(credential), WireCodec.ContentType);
    }

    /// <summary>The answer to anything a device sends under an erased id: its data is gone and stays gone.</summary>
    internal static IResult Gone(ServerMetrics metrics)
    {
        metrics.Rejected(StatusCodes.Status410Gone);
        return Results.Problem("This device id was erased with its data; nothing more is taken under it. A device starts again under a new id.",
            statusCode: StatusCodes.Status410Gone, title: "Device erased");
    }

    private static IResult Erase(string deviceId, HttpContext http, IFeedbackIngest store, LogNames names, ILoggerFactory loggers)
    {
        if (deviceId != http.AuthenticatedDevice())
        {
            return Results.Problem("A device may only erase its own data.", statusCode: StatusCodes.Status403Forbidden, title: "Wrong device");
        }
        long erased = store.EraseDevice(deviceId);
        loggers.CreateLogger("OnDeviceReco.Server.Devices").LogInformation("Erased {Events} events of device {Device}", erased, names.Device(deviceId));
        return Results.Ok(new DeviceErasure(deviceId, erased));
    }
}

/// <summary>What DELETE /v1/devices/{id} returns.</summary>
public sealed record DeviceErasure(string DeviceId, long ErasedEvents);
