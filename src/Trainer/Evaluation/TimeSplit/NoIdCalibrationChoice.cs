using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>One calibration's validation NDCG@10: over all targets and over new-item targets.</summary>
public sealed record CalibrationScore(NoIdCalibration Setting, double All, double New);

/// <summary>
/// Chooses a text recipe's <see cref="NoIdCalibration"/> on the validation replay: the early-stopped model's items
/// without an ID part are exactly the validation window's new items, so each setting of
/// <see cref="NoIdCalibration.Grid"/> is scored there, and the one with the best new-item NDCG@10 among those no worse
/// overall than no calibration is kept (the goal is new items at no cost to the rest).
/// </summary>
public static class NoIdCalibrationChoice
{
    /// <summary>Scores the grid, leaves the chosen setting on <paramref name="model"/> and returns every score.</summary>
    public static (NoIdCalibration Chosen, IReadOnlyList<CalibrationScore> Scores) Choose(SequenceModel model, IReadOnlyList<ReplayCase> validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        var scorer = new ModelScorer(model);
        var scores = new List<CalibrationScore>();
        foreach (var setting in NoIdCalibration.Grid)
        {
            model.Calibration = setting;
            var ranks = ReplayRanking.Ranks(scorer, validation, model.TableSize);
            var fresh = Enumerable.Range(0, validation.Count).Where(c => validation[c].Segment == Segment.New).Select(c => ranks[c]).ToList();
            scores.Add(new CalibrationScore(setting, ranks.Average(ReplayRanking.Ndcg10), fresh.Count == 0 ? 0 : fresh.Average(ReplayRanking.Ndcg10)));
        }
        double uncalibrated = scores.Single(s => s.Setting.IsNone).All;
        var chosen = scores.Where(s => s.All >= uncalibrated).MaxBy(s => s.New)!.Setting;
        model.Calibration = chosen;
        return (chosen, scores);
    }

    public static string Describe(NoIdCalibration chosen, IReadOnlyList<CalibrationScore> scores) =>
        FormattableString.Invariant($"no-ID rows: {chosen} (chosen on validation, all / new NDCG@10: ")
        + string.Join("; ", scores.Select(s => FormattableString.Invariant($"{s.Setting.Scale}×{s.Setting.Shift}: {s.All:0.0000} / {s.New:0.0000}"))) + ")";
}
