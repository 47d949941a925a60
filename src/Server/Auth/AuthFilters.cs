using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Auth;

/// <summary>
/// Who may call what: every endpoint needs the app's API key (<c>X-Api-Key</c>); device endpoints also need the
/// device's token (<c>Authorization: Bearer …</c>) for the device named in <c>X-Device-Id</c>; operator endpoints
/// need the admin key. Failures are ProblemDetails: 401 for a missing or wrong credential.
/// </summary>
public static class AuthFilters
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string DeviceIdHeader = "X-Device-Id";
    public const string AdminKeyHeader = "X-Admin-Key";

    /// <summary>The device id a request proved it speaks for (set by <see cref="RequireDevice"/>).</summary>
    public static string AuthenticatedDevice(this HttpContext context) => (string)context.Items[DeviceIdHeader]!;

    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<ServerOptions>();
            string presented = context.HttpContext.Request.Headers[ApiKeyHeader].ToString();
            return options.ApiKeys.Any(key => SameSecret(key, presented))
                ? await next(context)
                : Unauthorized(context.HttpContext, "api_key", $"A valid {ApiKeyHeader} header is required.");
        });

    public static TBuilder RequireDevice<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var tokens = http.RequestServices.GetRequiredService<DeviceTokens>();
            string deviceId = http.Request.Headers[DeviceIdHeader].ToString();
            string authorization = http.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            if (deviceId.Length == 0 || !authorization.StartsWith(scheme, StringComparison.Ordinal)
                || !tokens.IsValid(deviceId, authorization[scheme.Length..]))
            {
                return Unauthorized(http, "device_token", $"A valid device token (Authorization: Bearer) for the device in {DeviceIdHeader} is required.");
            }
            http.Items[DeviceIdHeader] = deviceId;
            return await next(context);
        });

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<ServerOptions>();
            string presented = context.HttpContext.Request.Headers[AdminKeyHeader].ToString();
            return options.AdminKey is { Length: > 0 } admin && SameSecret(admin, presented)
                ? await next(context)
                : Unauthorized(context.HttpContext, "admin_key", $"A valid {AdminKeyHeader} header is required.");
        });

    private static IResult Unauthorized(HttpContext http, string credential, string detail)
    {
        http.RequestServices.GetRequiredService<ServerMetrics>().AuthFailed(credential);
        return Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
    }

    /// <summary>Compares secrets in constant time (hashes first, so the length leaks nothing either).</summary>
    internal static bool SameSecret(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
