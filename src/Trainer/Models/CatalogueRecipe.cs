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
/// sampled one's, sampled softmax (with <see cref="ModelConfig.Negatives"/> negatives) above; a sequence length that
/// fits users' histories (with a batch that keeps a step's positions) instead of windows that are mostly padding; plus
/// the default wall-clock budgets that bound a run at any size. The evaluate and train commands and the server's
/// retraining all ask here.
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
    /// The sequence length covers this percentile of users' histories (interactions per user). A window holds L inputs
    /// and L targets, so a user with up to L + 1 interactions trains in one window and longer histories are cut into
    /// several (none of their interactions is lost, only context beyond L).
    /// </summary>
    public const int LengthPercentile = 95;

    /// <summary>The fitted length is rounded up to a multiple of this, so a few users more or less do not change it.</summary>
    public const int LengthStep = 10;

    /// <summary>
    /// The batch grows with a shorter length at most this many times. On the generated Amazon-Games-shaped catalogue
    /// (length 20, 3-minute budget, docs/measurements.md) batch 64 matched batch 32's validation NDCG@10 at two thirds of
    /// its time per epoch; batch 128 was faster still but 6 % lower.
    /// </summary>
    public const int MaxBatchGrowth = 2;

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
    /// The recipe <paramref name="requested"/> becomes on a catalogue of this <paramref name="shape"/>. The loss: only
    /// full-softmax recipes are ever changed; a recipe named with another loss (sasrec-sampled, sasrec-bce) is the
    /// user's explicit choice and stays as it is, as does its negative count (e.g. from --negatives). The length
    /// (<see cref="FitLength"/>), unless <paramref name="lengthAsked"/> (--max-length or --batch-size given): never
    /// longer than the recipe's own.
    /// </summary>
    public static RecipeDecision Choose(ModelConfig requested, CatalogueShape shape, SoftmaxChoice softmax = SoftmaxChoice.Auto, bool lengthAsked = false)
    {
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(shape);
        string size = shape.Items.ToString("N0", CultureInfo.InvariantCulture);
        string crossover = CrossoverItems.ToString("N0", CultureInfo.InvariantCulture);
        var (config, why) = requested.Loss != LossKind.FullSoftmax
            ? (requested, "named")
            : softmax switch
            {
                SoftmaxChoice.Full => (requested, "asked for"),
                SoftmaxChoice.Sampled => (requested with { Loss = LossKind.SampledSoftmax }, "asked for"),
                _ when shape.Items > CrossoverItems => (requested with { Loss = LossKind.SampledSoftmax }, $"{size} items > crossover {crossover}"),
                _ => (requested, $"{size} items ≤ crossover {crossover}"),
            };
        string length;
        if (lengthAsked)
        {
            length = string.Create(CultureInfo.InvariantCulture, $"length {config.MaxLength}, batch {config.BatchSize}: asked for");
        }
        else
        {
            (config, length) = FitLength(config, shape.HistoryLength);
        }
        return new RecipeDecision(config, $"{requested.Name} → {Describe(config)}: {why}; {length}");
    }

    /// <summary>
    /// The sequence length for histories whose <see cref="LengthPercentile"/>th percentile is
    /// <paramref name="historyLength"/>: that many interactions, less the one that is only ever a target, rounded up to
    /// a multiple of <see cref="LengthStep"/> and never above the recipe's length — so a catalogue of long histories
    /// (movielens-small: 95 % of its users have up to 519 ratings) keeps the recipe as it is. When the length
    /// shrinks, the batch grows by the same factor (rounded down to a multiple of the recipe's batch), keeping the
    /// positions a step trains on and so the steps' per-call overhead per position, up to <see cref="MaxBatchGrowth"/> times.
    /// </summary>
    public static (ModelConfig Config, string Reason) FitLength(ModelConfig config, int historyLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        string percentile = string.Create(CultureInfo.InvariantCulture, $"{LengthPercentile} % of users have ≤ {historyLength:N0} interactions");
        int fitted = Math.Max(LengthStep, (Math.Max(historyLength - 1, 1) + LengthStep - 1) / LengthStep * LengthStep);
        if (fitted >= config.MaxLength)
        {
            return (config, string.Create(CultureInfo.InvariantCulture, $"length {config.MaxLength}: {percentile}"));
        }
        int batch = Math.Clamp(config.MaxLength / fitted, 1, MaxBatchGrowth) * config.BatchSize;
        var fit = config with { MaxLength = fitted, BatchSize = batch };
        return (fit, string.Create(CultureInfo.InvariantCulture,
            $"length {fitted} (of {config.MaxLength}), batch {batch} (of {config.BatchSize}): {percentile}"));
    }

    private static string Describe(ModelConfig config) => config.Loss switch
    {
        LossKind.SampledSoftmax => string.Create(CultureInfo.InvariantCulture, $"sampled softmax, {config.Negatives:N0} negatives"),
        LossKind.BceOneNegative => "BCE, one negative",
        _ => "full softmax",
    };
}
