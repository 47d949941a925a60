namespace OnDeviceReco.Ranking;

/// <summary>
/// Cold-start scoring by content: an item scores the sum of the user's affinities for its categories,
/// divided by √(category count) so that an item is not favoured just for listing many categories.
/// </summary>
internal static class ContentScorer
{
    public static double Score(IReadOnlyDictionary<string, double> affinities, IReadOnlyList<string> categories)
    {
        if (categories.Count == 0)
        {
            return 0;
        }
        double sum = 0;
        foreach (var category in categories)
        {
            sum += affinities.GetValueOrDefault(category);
        }
        return sum / Math.Sqrt(categories.Count);
    }

    /// <summary>The category of <paramref name="categories"/> the user likes most, for the explanation.</summary>
    public static string? Strongest(IReadOnlyDictionary<string, double> affinities, IReadOnlyList<string> categories) =>
        categories.Where(affinities.ContainsKey).OrderByDescending(c => affinities[c]).FirstOrDefault();
}
