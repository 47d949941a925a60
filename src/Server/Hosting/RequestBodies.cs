using Microsoft.AspNetCore.Http.Features;

namespace OnDeviceReco.Server.Hosting;

/// <summary>Reads a request body whole, refusing (413) anything over the limit before or while it arrives.</summary>
public static class RequestBodies
{
    /// <summary>The body, or the ProblemDetails result to return instead.</summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentType is not { } type || !type.StartsWith(Protocol.Wire.WireCodec.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem($"The body must be {Protocol.Wire.WireCodec.ContentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type"));
        }
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(request.ContentLength.Value, limit));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }
        try
        {
            using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 64 * 1024);
            await request.Body.CopyToAsync(buffer, cancellationToken);
            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(null, limit));
        }
    }

    private static IResult TooLarge(long? length, int limit) =>
        Results.Problem(length is { } l ? $"The body is {l} bytes; the limit is {limit}." : $"The body exceeds the limit of {limit} bytes.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");
}
