using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>One setting's validation NDCG@10: over all targets and over new-item targets.</summary>
public sealed record GridScore<T>(T Setting, double All, double New);

/// <summary>
/// Chooses a scoring-time setting on the validation replay: each setting of a grid is scored there, and the one with the
/// best new-item NDCG@10 among those no worse overall than the neutral setting is kept (the goal is new items at no cost
/// to the rest). The rule is written here once for every such setting.
/// </summary>
public static class ValidationGrid
{
    /// <summary>Scores <paramref name="grid"/> (which holds <paramref name="neutral"/>) with the scorer each setting gives; returns the chosen setting and every score.</summary>
    public static (T Chosen, IReadOnlyList<GridScore<T>> Scores) Choose<T>(IReadOnlyList<ReplayCase> validation, int tableSize,
        IReadOnlyList<T> grid, T neutral, Func<T, IScorer> scorer)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(scorer);
        var scores = new List<GridScore<T>>();
        foreach (var setting in grid)
        {
            var ranks = ReplayRanking.Ranks(scorer(setting), validation, tableSize);
            var fresh = Enumerable.Range(0, validation.Count).Where(c => validation[c].Segment == Segment.New).Select(c => ranks[c]).ToList();
            scores.Add(new GridScore<T>(setting, ranks.Average(ReplayRanking.Ndcg10), fresh.Count == 0 ? 0 : fresh.Average(ReplayRanking.Ndcg10)));
        }
        double baseline = scores.Single(s => EqualityComparer<T>.Default.Equals(s.Setting, neutral)).All;
        return (scores.Where(s => s.All >= baseline).MaxBy(s => s.New)!.Setting, scores);
    }

    /// <summary>As above for a setting of <paramref name="model"/> itself (applied by <paramref name="apply"/>); leaves the chosen one applied.</summary>
    public static (T Chosen, IReadOnlyList<GridScore<T>> Scores) Choose<T>(SequenceModel model, IReadOnlyList<ReplayCase> validation,
        IReadOnlyList<T> grid, T neutral, Action<T> apply)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(apply);
        var modelScorer = new ModelScorer(model);
        var result = Choose(validation, model.TableSize, grid, neutral, setting =>
        {
            apply(setting);
            return modelScorer;
        });
        apply(result.Chosen);
        return result;
    }

    /// <summary>"what: chosen (chosen on validation, all / new NDCG@10: setting: all / new; …)", each grid setting by <paramref name="name"/>.</summary>
    public static string Describe<T>(string what, string chosen, IReadOnlyList<GridScore<T>> scores, Func<T, string> name) =>
        FormattableString.Invariant($"{what}: {chosen} (chosen on validation, all / new NDCG@10: ")
        + string.Join("; ", scores.Select(s => FormattableString.Invariant($"{name(s.Setting)}: {s.All:0.0000} / {s.New:0.0000}"))) + ")";
}
