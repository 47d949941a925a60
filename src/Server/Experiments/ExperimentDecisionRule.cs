namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// What a decision does to an experiment's arms, its status and the serving version — one rule for automatic and
/// operator decisions alike. On one treatment: promote serves it to everyone (and ends the experiment); rollback sends
/// its devices back to the serving version while the other treatments go on; continue runs it again (reversing either).
/// Without an arm it applies to every treatment (promote then needs the experiment to have just one). The experiment
/// then stands as its arms do: promoted when one is, running while one runs, rolled back when all are.
/// </summary>
public static class ExperimentDecisionRule
{
    /// <returns>The experiment afterwards, and the version that serves everyone afterwards (null: unchanged).</returns>
    /// <exception cref="ArgumentException">An unknown decision or arm, or promote without an arm when there are several treatments.</exception>
    public static (ExperimentDefinition Experiment, long? Serving) Apply(ExperimentDefinition experiment, string decision, string? arm)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (arm is not null && experiment.Treatment(arm) is null)
        {
            throw new ArgumentException($"Experiment {experiment.Id} has no treatment arm '{arm}' (it has {string.Join(", ", experiment.Treatments.Select(t => t.Name))}).", nameof(arm));
        }
        if (decision == ExperimentDefinition.Superseded)
        {
            return (experiment with { Status = ExperimentDefinition.Superseded }, null);
        }
        bool Targets(ExperimentTreatment t) => arm is null || t.Name == arm;
        var treatments = decision switch
        {
            ExperimentBook.Promote => experiment.Treatments.Select(t => t with
            {
                Status = t.Name == (arm ?? Lone(experiment)) ? ExperimentDefinition.Promoted
                    : t.Status == ExperimentDefinition.Promoted ? ExperimentDefinition.Running : t.Status,
            }),
            ExperimentBook.Rollback => experiment.Treatments.Select(t => Targets(t) ? t with { Status = ExperimentDefinition.RolledBack } : t),
            // Running again reverses a promotion too: the control serves while the experiment runs.
            ExperimentBook.Continue => experiment.Treatments.Select(t => Targets(t) || t.Status == ExperimentDefinition.Promoted
                ? t with { Status = ExperimentDefinition.Running } : t),
            _ => throw new ArgumentException($"Unknown decision '{decision}': use {ExperimentBook.Promote}, {ExperimentBook.Rollback} or {ExperimentBook.Continue}.", nameof(decision)),
        };
        var arms = treatments.ToList();
        return arms.FirstOrDefault(t => t.Status == ExperimentDefinition.Promoted) is { } promoted
            ? (experiment with { Treatments = arms, Status = ExperimentDefinition.Promoted }, promoted.Version)
            : (experiment with { Treatments = arms, Status = arms.Any(t => t.IsRunning) ? ExperimentDefinition.Running : ExperimentDefinition.RolledBack },
                experiment.ControlVersion);
    }

    private static string Lone(ExperimentDefinition experiment) => experiment.Treatments.Count == 1
        ? experiment.Treatments[0].Name
        : throw new ArgumentException($"Experiment {experiment.Id} has {experiment.Treatments.Count} treatments: name the arm to promote.", "arm");
}
