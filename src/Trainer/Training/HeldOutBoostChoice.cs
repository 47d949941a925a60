using System.Globalization;
using OnDeviceReco.Trainer.Evaluation.TimeSplit;
using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// Chooses a text recipe's <see cref="SequenceModel.NewestBoost"/> for next-item prediction on held-out validation (each
/// user's second newest interaction in leave-one-out training, as the server retrains): the grid of
/// <see cref="NewestBoostChoice"/>, the best validation NDCG@10 kept, the smaller boost on a tie. The time split chooses
/// on its own validation window for new items (<see cref="NewestBoostChoice"/>); the boost that lifts new items there
/// can cost the next-item ranking of items everyone has played, so where the model is judged on the latter it is chosen
/// on the latter.
/// </summary>
public static class HeldOutBoostChoice
{
    /// <summary>
    /// Scores every boost with <paramref name="validate"/>, leaves the best on <paramref name="model"/> and says what was
    /// chosen from what; null (nothing changed) when the model has no newest-item term.
    /// </summary>
    public static string? Choose(SequenceModel model, Func<double> validate)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validate);
        if (model.Newest is null)
        {
            return null;
        }
        var scores = new List<(double Boost, double Ndcg10)>();
        foreach (double boost in NewestBoostChoice.Grid)
        {
            model.NewestBoost = boost;
            scores.Add((boost, validate()));
        }
        var best = scores.Aggregate((a, b) => b.Ndcg10 > a.Ndcg10 ? b : a);
        model.NewestBoost = best.Boost;
        return string.Create(CultureInfo.InvariantCulture, $"newest-item boost {best.Boost} (chosen on validation NDCG@10: ")
            + string.Join("; ", scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Boost}: {s.Ndcg10:0.0000}"))) + ")";
    }
}
