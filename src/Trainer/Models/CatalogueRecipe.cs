using System.Globalization;

namespace OnDeviceReco.Trainer.Models;

/// <summary>Which softmax a full-softmax recipe trains with: chosen from the catalogue's size, or as the user says.</summary>
public enum SoftmaxChoice
{
    /// <summary>Full softmax up to <see cref="CatalogueRecipe.CrossoverItems"/> items, sampled softmax above.</summary>
    Auto,
    Full,
    Sampled,
}

/// <summary>A recipe as it will be trained and why: the text goes into reports, run records and logs.</summary>
public sealed record RecipeDecision(ModelConfig Config, string Reason);

/// <summary>
/// The one rule that fits a recipe to a catalogue: full softmax while its cost per step is within about twice the
/// sampled one's, sampled softmax (with <see cref="ModelConfig.Negatives"/> negatives) above; plus the default wall-clock
/// budgets that bound a run at any size. The evaluate and train commands and the server's retraining all ask here.
/// </summary>
public static class CatalogueRecipe
{
    /// <summary>
    /// Above this many items full-softmax recipes switch to sampled softmax. Measured with time-epoch on two threads
    /// (docs/measurements.md): a full-softmax step costs 1.6× the sampled one at 10,000 items, 3.1× at 25,000 and
    /// 9.4× at 50,000 (the gap grows with the catalogue); on movielens-small (9,066 items) full softmax leads on
    /// validation NDCG@10 (0.0859 vs 0.0808), worth its ≤ 2× cost there, not a third of the epochs a budget allows beyond 25,000.
    /// </summary>
    public const int CrossoverItems = 15_000;

    /// <summary>
    /// Wall-clock training budget per model when none is given (train, the server's retraining): movielens-small's
    /// slowest default model (full-softmax SASRec, about 5 minutes for its 60 epochs) finishes inside it. The budget is
    /// predictive (<see cref="Training.TrainingBudget"/>): no epoch starts that is not expected to fit.
    /// </summary>
    public static readonly TimeSpan DefaultTimeBudget = TimeSpan.FromMinutes(6);

    /// <summary>
    /// The evaluate command's default budget for all its trained models together (per seed), shared out in turn
    /// (<see cref="Training.SharedBudget"/>; with the default three, SASRec first gets up to 7.5 minutes): 15 minutes
    /// of training keep a default evaluate of an Amazon-Video-Games-sized catalogue (24k items, 290k interactions)
    /// under 17 minutes with data loading and test scoring.
    /// </summary>
    public static readonly TimeSpan DefaultEvaluateBudget = TimeSpan.FromMinutes(15);

    /// <summary>Parses "auto", "full" or "sampled".</summary>
    public static SoftmaxChoice ParseSoftmax(string text) => text switch
    {
        "auto" => SoftmaxChoice.Auto,
        "full" => SoftmaxChoice.Full,
        "sampled" => SoftmaxChoice.Sampled,
        _ => throw new ArgumentException($"Softmax must be 'auto', 'full' or 'sampled'; got '{text}'.", nameof(text)),
    };

    /// <summary>
    /// The recipe <paramref name="requested"/> becomes on a catalogue of <paramref name="items"/> items. Only
    /// full-softmax recipes are ever changed: a recipe named with another loss (sasrec-sampled, sasrec-bce) is the
    /// user's explicit choice and stays as it is, as does its negative count (e.g. from --negatives).
    /// </summary>
    public static RecipeDecision Choose(ModelConfig requested, int items, SoftmaxChoice softmax = SoftmaxChoice.Auto)
    {
        ArgumentNullException.ThrowIfNull(requested);
        string size = items.ToString("N0", CultureInfo.InvariantCulture);
        string crossover = CrossoverItems.ToString("N0", CultureInfo.InvariantCulture);
        if (requested.Loss != LossKind.FullSoftmax)
        {
            return new RecipeDecision(requested, $"{requested.Name} → {Describe(requested)}: named");
        }
        var (sampled, why) = softmax switch
        {
            SoftmaxChoice.Full => (false, "asked for"),
            SoftmaxChoice.Sampled => (true, "asked for"),
            _ when items > CrossoverItems => (true, $"{size} items > crossover {crossover}"),
            _ => (false, $"{size} items ≤ crossover {crossover}"),
        };
        var config = sampled ? requested with { Loss = LossKind.SampledSoftmax } : requested;
        return new RecipeDecision(config, $"{requested.Name} → {Describe(config)}: {why}");
    }

    private static string Describe(ModelConfig config) => config.Loss switch
    {
        LossKind.SampledSoftmax => string.Create(CultureInfo.InvariantCulture, $"sampled softmax, {config.Negatives:N0} negatives"),
        LossKind.BceOneNegative => "BCE, one negative",
        _ => "full softmax",
    };
}
