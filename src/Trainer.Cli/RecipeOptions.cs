using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// --softmax auto|full|sampled (which softmax full-softmax recipes train with; auto lets <see cref="CatalogueRecipe"/>
/// decide from the catalogue's size) and --time-budget MINUTES|off (wall-clock training limit: per model for train,
/// for all models of a seed together for evaluate); --max-length or --batch-size keep the length and batch as given
/// instead of fitting them to users' histories.
/// </summary>
public static class RecipeOptions
{
    public static readonly string[] Names = ["--softmax", "--time-budget"];

    /// <summary>The recipes as <see cref="CatalogueRecipe"/> fits them to <paramref name="data"/> and this command line.</summary>
    public static List<RecipeDecision> Decide(CommandLine line, IEnumerable<ModelConfig> requested, InteractionData data)
    {
        var softmax = Softmax(line);
        bool lengthAsked = line.Optional("--max-length") is not null || line.Optional("--batch-size") is not null;
        var shape = CatalogueShape.Of(data.Items.Count, data.Sequences);
        return requested.Select(c => CatalogueRecipe.Choose(c, shape, softmax, lengthAsked)).ToList();
    }

    public static SoftmaxChoice Softmax(CommandLine line)
    {
        string text = line.Optional("--softmax") ?? "auto";
        try
        {
            return CatalogueRecipe.ParseSoftmax(text);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"Option '--softmax' must be 'auto', 'full' or 'sampled'; got '{text}'.");
        }
    }

    /// <summary>The budget the command was given, or <paramref name="fallback"/>; null when switched off.</summary>
    public static TimeSpan? Budget(CommandLine line, TimeSpan fallback)
    {
        string? text = line.Optional("--time-budget");
        if (text is null)
        {
            return fallback;
        }
        if (text == "off")
        {
            return null;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double minutes) && minutes > 0 && minutes <= 100_000
            ? TimeSpan.FromMinutes(minutes)
            : throw new UsageException($"Option '--time-budget' must be a number of minutes above 0 or 'off'; got '{text}'.");
    }
}
