using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>
/// A measurement, not a recipe the server ships: a text recipe's scores plus w × the content baseline's (cosine of the
/// sentence vectors to the user's newest items), w chosen on the validation replay (<see cref="ValidationGrid"/>). It
/// shows what a raw-text similarity term inside the model could add for new items before one is built into the graph.
/// </summary>
public static class ContentBlend
{
    /// <summary>The weights scored (0 = the model alone).</summary>
    public static IReadOnlyList<double> Grid { get; } = [0, 1, 2, 4, 8, 16];

    /// <summary>The report name of <paramref name="recipe"/> blended with the content baseline.</summary>
    public static string Name(string recipe) => recipe + "+content";

    /// <summary>Chooses w with <paramref name="model"/> (early-stopped: its items without an ID part are the validation window's new items).</summary>
    public static (double Chosen, string Detail) Choose(SequenceModel model, ContentScorer content, IReadOnlyList<ReplayCase> validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        var scorer = new ModelScorer(model);
        var (chosen, scores) = ValidationGrid.Choose(validation, model.TableSize, Grid, 0.0, w => new BlendScorer(scorer, content, w, model.TableSize));
        static string Number(double w) => w.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (chosen, ValidationGrid.Describe($"content weight (newest {content.Recent})", Number(chosen), scores, Number));
    }
}
