using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Events;

/// <summary>
/// The first steps every device upload shares (event batches, attribute batches): read the bounded body, decode the
/// wire message (the body is returned too: event ingest hashes it), and check it belongs to the token's device. A failure is the ProblemDetails to answer, counted.
/// </summary>
internal static class DeviceMessages
{
    public static async Task<(T? Message, byte[] Body, IResult? Problem)> ReadAsync<T>(HttpContext http, ServerOptions options,
        ServerMetrics metrics, ILogger log, string what, Func<byte[], T> decode, Func<T, string> deviceOf, CancellationToken cancellationToken)
        where T : class
    {
        var (body, problem) = await RequestBodies.ReadAsync(http.Request, options.MaxRequestBytes, cancellationToken);
        if (problem is not null)
        {
            // 413 or 415: count it under its own status, so an alert on one is not set off by the other.
            metrics.Rejected((problem as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status400BadRequest);
            return (null, [], problem);
        }
        T message;
        try
        {
            message = decode(body!);
        }
        catch (ProtocolFormatException e)
        {
            log.LogWarning("Malformed {What} from {Device}: {Reason}", what, http.RequestServices.GetRequiredService<LogNames>().Device(http.AuthenticatedDevice()), e.Message);
            return (null, [], EventEndpoints.Refuse(metrics, StatusCodes.Status400BadRequest, $"Malformed {what}", e.Message));
        }
        if (deviceOf(message) != http.AuthenticatedDevice())
        {
            return (null, [], EventEndpoints.Refuse(metrics, StatusCodes.Status403Forbidden, "Wrong device", "The batch belongs to another device than the token's."));
        }
        return (message, body!, null);
    }
}
