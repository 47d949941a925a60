namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// What <see cref="CatalogueRecipe"/> fits a recipe to: the number of items, and how long users' histories are
/// (the <see cref="CatalogueRecipe.LengthPercentile"/>th percentile of interactions per user).
/// </summary>
public sealed record CatalogueShape(int Items, int HistoryLength)
{
    /// <summary>The shape of a catalogue of <paramref name="items"/> items with these users' interaction sequences.</summary>
    public static CatalogueShape Of(int items, IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
        {
            return new CatalogueShape(items, 0);
        }
        var lengths = sequences.Select(s => s.Length).ToArray();
        Array.Sort(lengths);
        // Nearest rank: the smallest length at least this share of users' histories do not exceed.
        int rank = (int)Math.Ceiling(CatalogueRecipe.LengthPercentile / 100.0 * lengths.Length);
        return new CatalogueShape(items, lengths[Math.Clamp(rank, 1, lengths.Length) - 1]);
    }
}
