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
                    var plans = request.Plans();
                    var started = request.HasPopularity ? popularity.Start(plans, request.Id) : book.Start(plans, request.Id);
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
            .WithSummary("Starts trying one or more treatments (published versions, or arm \"popularity\" for a new popularity version), each on its share of devices, against the serving version.");
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
                    return Results.Ok(book.Decide(experiment, request.Decision, ExperimentBook.Operator, request.Reason ?? "decided by the operator", request.Arm));
                }
                catch (ArgumentException e)
                {
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Decision refused");
                }
                catch (Exception e) when (e is InvalidOperationException or Feedback.ExperimentChangedException)
                {
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Decision refused");
                }
            })
            .WithSummary("The operator decides: promote, rollback or continue, on one treatment arm or the whole experiment (reverses an automatic decision).");
    }

    private static IResult NotFound(string id) =>
        Results.Problem($"No experiment '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "No such experiment");

    private static ExperimentView View(ExperimentDefinition experiment, ExperimentBook book, ExperimentEvaluator evaluator, int looks) =>
        new(experiment, [.. evaluator.Looks(experiment.Id).TakeLast(looks)], book.Decisions(experiment.Id));
}

/// <summary>
/// POST /v1/admin/experiments: one treatment as <paramref name="Treatment"/> (a published version) or
/// <paramref name="Arm"/> <see cref="Popularity"/>, on <paramref name="Share"/> of devices — the body from before
/// several treatments — or several as <paramref name="Treatments"/>.
/// </summary>
public sealed record StartExperiment(long Treatment, double Share, string? Id = null, string? Arm = null, IReadOnlyList<StartTreatment>? Treatments = null)
{
    /// <summary>The arm that publishes a popularity version as the treatment (<see cref="Experiments.PopularityArm"/>).</summary>
    public const string Popularity = "popularity";

    /// <summary>Whether a treatment is the popularity arm.</summary>
    public bool HasPopularity => Arm == Popularity || (Treatments ?? []).Any(t => t.Arm == Popularity);

    /// <summary>The treatments asked for, the popularity arm as <see cref="TreatmentPlan.ToPublish"/>.</summary>
    /// <exception cref="ArgumentException">When the body mixes the one-treatment and the several-treatment forms, or a treatment is neither a version nor popularity.</exception>
    public IReadOnlyList<TreatmentPlan> Plans()
    {
        if (Treatments is null)
        {
            return [Plan(Treatment, Share, Arm, name: null)];
        }
        if (Treatment != 0 || Share != 0 || Arm is not null)
        {
            throw new ArgumentException("Give either \"treatments\" or one treatment (\"treatment\" or \"arm\" with \"share\"), not both.");
        }
        if (Treatments.Count(t => t.Arm == Popularity) > 1)
        {
            throw new ArgumentException("At most one treatment is the popularity arm.");
        }
        return [.. Treatments.Select(t => Plan(t.Version, t.Share, t.Arm, t.Name))];
    }

    private static TreatmentPlan Plan(long version, double share, string? arm, string? name) => (arm, version) switch
    {
        (Popularity, 0) => new TreatmentPlan(TreatmentPlan.ToPublish, share, name),
        (null, > 0) => new TreatmentPlan(version, share, name),
        _ => throw new ArgumentException($"Name a published version as the treatment, or arm \"{Popularity}\" without one."),
    };
}

/// <summary>One of several treatments: a published <paramref name="Version"/> or <paramref name="Arm"/> "popularity", its share, its arm name.</summary>
public sealed record StartTreatment(double Share, long Version = 0, string? Arm = null, string? Name = null);

/// <summary>POST /v1/admin/experiments/{id}/decision: on one treatment <paramref name="Arm"/>, or the whole experiment without one.</summary>
public sealed record OperatorDecision(string Decision, string? Reason = null, string? Arm = null);

/// <summary>An experiment as the operator API shows it.</summary>
public sealed record ExperimentView(ExperimentDefinition Experiment, IReadOnlyList<ExperimentEvaluation> Looks,
    IReadOnlyList<Feedback.ExperimentDecision> Decisions);
