using System.Globalization;
using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// Command-line overrides of the sequence models' hyperparameters (applied to every model run); the --dp-* options set
/// the private recipes' (sasrec-dp) target ε, δ, clipping norm C, expected users per step, or a fixed noise multiplier σ.
/// </summary>
public static class ConfigOverrides
{
    public static readonly string[] Names = ["--max-length", "--batch-size", "--learning-rate", "--dropout", "--dimension", "--blocks", "--heads", "--evaluate-every", "--patience", "--negatives", "--shuffle-ties",
        "--dp-epsilon", "--dp-delta", "--dp-clip", "--dp-users-per-step", "--dp-noise", "--id-drop", "--id-penalty", "--negative-pool", "--newest-item", "--text-columns"];

    public static ModelConfig Apply(ModelConfig config, CommandLine line)
    {
        double Real(string name, double fallback, double min, double max)
        {
            string? text = line.Optional(name);
            if (text is null)
            {
                return fallback;
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max
                ? value
                : throw new UsageException($"Option '{name}' must be a number from {min} to {max}; got '{text}'.");
        }
        var result = config with
        {
            MaxLength = line.Int("--max-length", config.MaxLength, 2, 4096),
            BatchSize = line.Int("--batch-size", config.BatchSize, 1, 65_536),
            LearningRate = Real("--learning-rate", config.LearningRate, 1e-6, 1),
            Dropout = Real("--dropout", config.Dropout, 0, 0.95),
            Dimension = line.Int("--dimension", config.Dimension, 2, 4096),
            Blocks = line.Int("--blocks", config.Blocks, 1, 32),
            Heads = line.Int("--heads", config.Heads, 1, 64),
            EvaluateEvery = line.Int("--evaluate-every", config.EvaluateEvery, 1, 1000),
            Patience = line.Int("--patience", config.Patience, 1, 1000),
            Negatives = line.Int("--negatives", config.Negatives, 1, 1_000_000),
            ShuffleTies = line.Int("--shuffle-ties", config.ShuffleTies ? 1 : 0, 0, 1) == 1,
            // Text recipes only (ID-only recipes have no offsets to drop or penalise).
            IdDrop = Real("--id-drop", config.IdDrop, 0, 1),
            IdPenalty = Real("--id-penalty", config.IdPenalty, 0, 100),
            NegativePool = Pool(line.Optional("--negative-pool"), config.NegativePool),
            NewestItem = config.UseText && line.Int("--newest-item", config.NewestItem ? 1 : 0, 0, 1) == 1,
            TextColumns = config.UseText ? line.Int("--text-columns", config.TextColumns, 0, 384) : 0,
        };
        if (result.Privacy is { } privacy)
        {
            // Only private recipes (sasrec-dp) take these; the others are compared as they are.
            double? Optional(string name, double min, double max) => line.Optional(name) is null ? null : Real(name, 0, min, max);
            result = result with
            {
                Privacy = privacy with
                {
                    TargetEpsilon = Real("--dp-epsilon", privacy.TargetEpsilon, 1e-3, 1e6),
                    Delta = Optional("--dp-delta", 1e-300, 0.5) ?? privacy.Delta,
                    ClipNorm = Real("--dp-clip", privacy.ClipNorm, 1e-9, 1e9),
                    UsersPerStep = line.Optional("--dp-users-per-step") is null ? privacy.UsersPerStep : line.Int("--dp-users-per-step", 0, 1, 100_000_000),
                    NoiseMultiplier = Optional("--dp-noise", 1e-6, 1e6) ?? privacy.NoiseMultiplier,
                },
            };
        }
        if (result.Dimension % result.Heads != 0)
        {
            throw new UsageException($"--dimension ({result.Dimension}) must be divisible by --heads ({result.Heads}).");
        }
        return result;
    }

    private static NegativePool Pool(string? text, NegativePool fallback) => text switch
    {
        null => fallback,
        "catalogue" => NegativePool.Catalogue,
        "trained" => NegativePool.Trained,
        "released" => NegativePool.Released,
        _ => throw new UsageException($"Option '--negative-pool' must be 'catalogue', 'trained' or 'released'; got '{text}'."),
    };
}
