using OnDeviceReco.Server.Auth;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// Operator API for experiments under /v1/admin/experiments: list, start, look now, and decide by hand (promote,
/// roll back, continue), which also reverses an automatic decision.
/// </summary>
public static class ExperimentEndpoints
{
    public static void MapExperimentEndpoints(this IEndpointRouteBuilder routes)
    {
        var operators = routes.MapGroup("/v1/admin/experiments").RequireAdmin();
        operators.MapGet("/", (ExperimentBook book, ExperimentEvaluator evaluator) =>
                Results.Ok(book.All.Select(e => View(e, book, evaluator, looks: 1))))
            .WithSummary("Every experiment with its latest look and its decisions.");
        operators.MapGet("/{id}", (string id, ExperimentBook book, ExperimentEvaluator evaluator) => book.Find(id) is { } experiment
                ? Results.Ok(View(experiment, book, evaluator, looks: int.MaxValue))
                : NotFound(id))
            .WithSummary("One experiment with every recent look and its decisions.");
        operators.MapPost("/", (StartExperiment request, ExperimentBook book, PopularityArm popularity) =>
            {
                try
                {
                    var started = request switch
                    {
                        { Arm: StartExperiment.Popularity, Treatment: 0 } => popularity.Start(request.Share, request.Id),
                        { Arm: null } => book.Start(request.Treatment, request.Share, request.Id),
                        _ => throw new ArgumentException($"Name a published version as the treatment, or arm \"{StartExperiment.Popularity}\" without one."),
                    };
                    return Results.Created($"/v1/admin/experiments/{started.Id}", started);
                }
                catch (ArgumentException e)
                {
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Experiment not started");
                }
                catch (Feedback.ExperimentExistsException e)
                {
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Experiment exists");
                }
            })
            .WithSummary("Starts trying a published version (or, with arm \"popularity\", a new popularity version) on a share of devices against the serving version.");
        operators.MapPost("/{id}/evaluate", (string id, ExperimentBook book, ExperimentEvaluator evaluator) => book.Find(id) is { } experiment
                ? Results.Ok(evaluator.Evaluate(experiment, apply: true))
                : NotFound(id))
            .WithSummary("Looks at the experiment now and applies what the sequential test decides.");
        operators.MapPost("/{id}/decision", (string id, OperatorDecision request, ExperimentBook book) =>
            {
                if (book.Find(id) is not { } experiment)
                {
                    return NotFound(id);
                }
                if (request.Decision is not (ExperimentBook.Promote or ExperimentBook.Rollback or ExperimentBook.Continue))
                {
                    return Results.Problem($"Unknown decision '{request.Decision}': use promote, rollback or continue.",
                        statusCode: StatusCodes.Status400BadRequest, title: "Unknown decision");
                }
                try
                {
                    return Results.Ok(book.Decide(experiment, request.Decision, ExperimentBook.Operator, request.Reason ?? "decided by the operator"));
                }
                catch (ArgumentException e)
                {
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Decision refused");
                }
            })
            .WithSummary("The operator decides: promote, rollback or continue (reverses an automatic decision).");
    }

    private static IResult NotFound(string id) =>
        Results.Problem($"No experiment '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "No such experiment");

    private static ExperimentView View(ExperimentDefinition experiment, ExperimentBook book, ExperimentEvaluator evaluator, int looks) =>
        new(experiment, [.. evaluator.Looks(experiment.Id).TakeLast(looks)], book.Decisions(experiment.Id));
}

/// <summary>POST /v1/admin/experiments: a published version as the treatment, or <see cref="PopularityArm"/> as <paramref name="Arm"/>.</summary>
public sealed record StartExperiment(long Treatment, double Share, string? Id = null, string? Arm = null)
{
    /// <summary>The arm that publishes a popularity version as the treatment (<see cref="Experiments.PopularityArm"/>).</summary>
    public const string Popularity = "popularity";
}

/// <summary>POST /v1/admin/experiments/{id}/decision.</summary>
public sealed record OperatorDecision(string Decision, string? Reason = null);

/// <summary>An experiment as the operator API shows it.</summary>
public sealed record ExperimentView(ExperimentDefinition Experiment, IReadOnlyList<ExperimentEvaluation> Looks,
    IReadOnlyList<Feedback.ExperimentDecision> Decisions);
