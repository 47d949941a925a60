using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// Chooses a text recipe's <see cref="NoIdCalibration"/> on the validation replay (<see cref="ValidationGrid"/>): the
/// early-stopped model's items without an ID part are exactly the validation window's new items, so each setting of
/// <see cref="NoIdCalibration.Grid"/> is scored there.
/// </summary>
public static class NoIdCalibrationChoice
{
    /// <summary>Scores the grid, leaves the chosen setting on <paramref name="model"/> and returns every score.</summary>
    public static (NoIdCalibration Chosen, IReadOnlyList<GridScore<NoIdCalibration>> Scores) Choose(SequenceModel model, IReadOnlyList<ReplayCase> validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ValidationGrid.Choose(model, validation, NoIdCalibration.Grid, NoIdCalibration.None, setting => model.Calibration = setting);
    }

    public static string Describe(NoIdCalibration chosen, IReadOnlyList<GridScore<NoIdCalibration>> scores) =>
        ValidationGrid.Describe("no-ID rows", chosen.ToString(), scores, s => FormattableString.Invariant($"{s.Scale}×{s.Shift}"));
}
