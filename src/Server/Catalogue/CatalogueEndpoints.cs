using System.Text.Json;
using System.Text.RegularExpressions;
using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Server.Catalogue;

/// <summary>What POST /v1/admin/catalogue/items takes: the items to add.</summary>
public sealed record CatalogueItemsRequest(IReadOnlyList<CatalogueItemRequest>? Items);

/// <summary>One item to add: id, title, categories, optional description.</summary>
public sealed record CatalogueItemRequest(string? Id, string? Title, IReadOnlyList<string>? Categories, string? Description);

/// <summary>Operators add items to the catalogue; the serving model places them and a new version ships at once, without retraining.</summary>
public static partial class CatalogueEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapCatalogueEndpoints(this IEndpointRouteBuilder routes)
    {
        var operators = routes.MapGroup("/v1/admin/catalogue").RequireAdmin();
        operators.MapPost("/items", AddItems)
            .WithSummary("Adds items (id, title, categories, optional description) and publishes a catalogue update of the serving version: "
                + "201 with the new version, 202 when the items were stored but no version could be made yet (the body says why), "
                + "400 naming the first bad row (nothing is stored and the serving version stays).")
            .Accepts<CatalogueItemsRequest>("application/json")
            .Produces<CatalogueUpdateOutcome>(StatusCodes.Status201Created)
            .Produces<CatalogueUpdateOutcome>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        operators.MapGet("", (CatalogueUpdater updater) => Results.Ok(new CatalogueStatus(updater.Last, updater.LastProblem)))
            .WithSummary("The last catalogue update and, when the directory's items could not be published, why.");
    }

    private static async Task<IResult> AddItems(HttpRequest request, ServerOptions options, CatalogueUpdater updater, CancellationToken cancellationToken)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem("The body must be application/json: {\"items\": [{\"id\", \"title\", \"categories\", \"description\"}]}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }
        CatalogueItemsRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CatalogueItemsRequest>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            // The path names the row where reading stopped (bad JSON, a wrong type or text that is not UTF-8).
            string where = RowOf(e.Path) is { } row ? $"row {row}" : $"line {e.LineNumber + 1}";
            return BadRow(RowOf(e.Path), $"The request does not read at {where} ({e.Path ?? "$"}): not valid JSON of the expected shape, or text that is not valid UTF-8. {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // The reader's own refusal of text it cannot transcode, when the serializer does not wrap it.
            return BadRow(null, $"The request holds text that is not valid UTF-8 or UTF-16: {e.Message}");
        }
        if (body?.Items is not { Count: > 0 } items)
        {
            return Results.Problem("The body must list at least one item in 'items'.", statusCode: StatusCodes.Status400BadRequest, title: "Bad catalogue input");
        }
        var rows = items.Select(i => i is null ? null! : new CatalogueRow(i.Id ?? "", i.Title ?? "", i.Categories ?? [], i.Description)).ToList();
        try
        {
            var outcome = await Task.Run(() => updater.Apply(rows), cancellationToken);
            return outcome.Version is { } version
                ? Results.Created($"/v1/models/{version}", outcome)
                : Results.Accepted(value: outcome);
        }
        catch (CatalogueRowException e)
        {
            return BadRow(e.Row, e.Message, e.Id);
        }
        catch (CatalogueUnavailableException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Catalogue unavailable");
        }
    }

    private static IResult BadRow(int? row, string detail, string? id = null)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (row is not null)
        {
            extensions["row"] = row;
        }
        if (id is not null)
        {
            extensions["id"] = id;
        }
        return Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad catalogue input", extensions: extensions);
    }

    /// <summary>"$.items[2].title" → 3 (rows count from 1).</summary>
    private static int? RowOf(string? path) =>
        path is not null && ItemIndex().Match(path) is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1 : null;

    [GeneratedRegex(@"^\$\.items\[(\d+)\]", RegexOptions.IgnoreCase)]
    private static partial Regex ItemIndex();
}

/// <summary>What GET /v1/admin/catalogue returns.</summary>
public sealed record CatalogueStatus(CatalogueUpdateOutcome? Last, string? Problem);
