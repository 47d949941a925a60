using System.Text.Encodings.Web;
using System.Text.Json;
using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Export;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Events;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Devices;

/// <summary>
/// GET /v1/devices/{id}/export: everything the server holds under the device that asks — its row, events, attribute
/// rows and batch records — as JSON (the user's rights of access and portability; schema in docs/privacy.md, names in
/// <see cref="ExportFields"/>). Only the device itself, with its token, may ask (the SDK fetches it for the app, which
/// never holds the token). Ids are written as the store holds them. Streamed: the server holds one row at a time.
/// </summary>
public static class DeviceExportEndpoints
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Rows written between flushes to the response.
    private const int FlushEvery = 500;

    public static void MapDeviceExportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/devices/{deviceId}/export", Export)
            .RequireApiKey()
            .RequireDevice()
            .RequireRateLimiting(RateLimits.DevicePolicy)
            .WithName("ExportDevice")
            .WithSummary("Everything the server holds under this device (events, attribute rows, batch records) as JSON. "
                + "The device asks with its own token; an erased device is answered 410.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static IResult Export(string deviceId, HttpContext http, IDeviceDataExport store, ServerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    {
        if (deviceId != http.AuthenticatedDevice())
        {
            return EventEndpoints.Refuse(metrics, StatusCodes.Status403Forbidden, "Wrong device", "A device may only export its own data.");
        }
        var device = store.FindDevice(deviceId);
        switch (device.State)
        {
            case ExportedDeviceState.Erased:
                return DeviceEndpoints.Gone(metrics);
            case ExportedDeviceState.Unknown:
                return EventEndpoints.Refuse(metrics, StatusCodes.Status404NotFound, "Unknown device", "The server holds nothing under this device id.");
        }
        loggers.CreateLogger("OnDeviceReco.Server.Devices").LogInformation("Export for device {Device}", http.RequestServices.GetRequiredService<LogNames>().Device(deviceId));
        var now = clock.GetUtcNow();
        return Results.Stream(stream => WriteAsync(stream, store, device, now, http.RequestAborted), "application/json");
    }

    private static async Task WriteAsync(Stream stream, IDeviceDataExport store, ExportedDevice device, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteString(ExportFields.Format, ExportFields.ServerFormat);
        json.WriteNumber(ExportFields.Schema, ExportFields.SchemaVersion);
        json.WriteString(ExportFields.ExportedAt, ExportFields.TimeText(now.ToUnixTimeMilliseconds()));
        json.WriteStartObject(ExportFields.Device);
        json.WriteString(ExportFields.DeviceId, device.DeviceId);
        json.WriteString(ExportFields.FirstSeen, ExportFields.TimeText(device.FirstSeenMs));
        json.WriteEndObject();
        int rows = await WriteArrayAsync(json, ExportFields.Events, store.ReadDeviceEvents(device.Keys), 0, static (json, e) =>
        {
            json.WriteNumber(ExportFields.Sequence, e.Sequence);
            json.WriteString(ExportFields.Time, ExportFields.TimeText(e.TimestampMs));
            json.WriteNumber(ExportFields.TimeMs, e.TimestampMs);
            json.WriteString(ExportFields.UserId, e.UserId);
            json.WriteString(ExportFields.ItemId, e.ItemId);
            json.WriteString(ExportFields.Type, ExportFields.TypeName(e.Type));
            json.WriteNumber(ExportFields.TypeCode, e.Type);
            json.WriteNumber(ExportFields.Value, e.Value);
            WriteContext(json, e.Context);
        }, cancellationToken);
        rows = await WriteArrayAsync(json, ExportFields.Attributes, store.ReadDeviceAttributes(device.Keys), rows, static (json, a) =>
        {
            json.WriteString(ExportFields.UserId, a.UserId);
            json.WriteString(ExportFields.Key, a.Key);
            json.WriteString(ExportFields.Value, a.Value);
            json.WriteNumber(ExportFields.ChangeSequence, a.ChangeSequence);
            json.WriteString(ExportFields.ChangedAt, ExportFields.TimeText(a.TimestampMs));
        }, cancellationToken);
        await WriteArrayAsync(json, ExportFields.Batches, store.ReadDeviceBatches(device.Keys), rows, static (json, b) =>
        {
            json.WriteString(ExportFields.BatchId, b.BatchId.ToString("D"));
            json.WriteNumber(ExportFields.LastSequence, b.LastSequence);
            json.WriteNumber(ExportFields.Stored, b.Stored);
            json.WriteNumber(ExportFields.AlreadyStored, b.AlreadyStored);
            json.WriteString(ExportFields.ReceivedAt, ExportFields.TimeText(b.ReceivedMs));
        }, cancellationToken);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>The stored context (a JSON object of strings, request id included) as an object with its keys in order.</summary>
    private static void WriteContext(Utf8JsonWriter json, string? stored)
    {
        json.WriteStartObject(ExportFields.Context);
        var context = stored is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(stored);
        foreach (var (key, value) in (context ?? []).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// Writes <paramref name="items"/> as an array of objects named <paramref name="name"/>, flushing to the response every
    /// <see cref="FlushEvery"/> rows of the export; returns the export's rows so far.
    /// </summary>
    private static async ValueTask<int> WriteArrayAsync<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, int rows,
        Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            write(json, item);
            json.WriteEndObject();
            if (++rows % FlushEvery == 0)
            {
                await json.FlushAsync(cancellationToken);
            }
        }
        json.WriteEndArray();
        return rows;
    }
}
