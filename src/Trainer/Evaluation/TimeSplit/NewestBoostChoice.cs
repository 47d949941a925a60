using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// Chooses <see cref="SequenceModel.NewestBoost"/> on the validation replay (<see cref="ValidationGrid"/>): how much
/// more of the newest history item's row the user vector takes than training left in β. Training sees new items only
/// as text rows with their IDs dropped at random; the validation window's new items are truly without an ID part.
/// </summary>
public static class NewestBoostChoice
{
    /// <summary>The boosts scored (0 = β as trained).</summary>
    public static IReadOnlyList<double> Grid { get; } = [0, 0.25, 0.5, 1, 2, 4];

    /// <summary>Scores the grid, leaves the chosen boost on <paramref name="model"/> and returns every score.</summary>
    public static (double Chosen, IReadOnlyList<GridScore<double>> Scores) Choose(SequenceModel model, IReadOnlyList<ReplayCase> validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ValidationGrid.Choose(model, validation, Grid, 0.0, boost => model.NewestBoost = boost);
    }

    public static string Describe(double chosen, IReadOnlyList<GridScore<double>> scores) =>
        ValidationGrid.Describe("newest-item boost", Number(chosen), scores, Number);

    private static string Number(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
