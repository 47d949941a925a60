using System.Globalization;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>The seeds a command runs with: "--seeds N" is N consecutive seeds from --seed, "--seeds a,b,c" lists them.</summary>
public static class SeedList
{
    public const int MaxSeeds = 100;

    public static IReadOnlyList<int> Parse(string? text, int firstSeed)
    {
        if (text is null)
        {
            return [firstSeed];
        }
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var seeds = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                throw new UsageException($"Option '--seeds' must be a count (e.g. 3) or a comma-separated list of non-negative seeds (e.g. 1,2,3); got '{text}'.");
            }
            seeds.Add(value);
        }
        if (seeds.Count == 1)
        {
            int count = seeds[0];
            if (count is < 1 or > MaxSeeds || firstSeed > int.MaxValue - count)
            {
                throw new UsageException($"Option '--seeds' as a count must be from 1 to {MaxSeeds}; got '{text}'.");
            }
            return Enumerable.Range(firstSeed, count).ToList();
        }
        if (seeds.Distinct().Count() != seeds.Count || seeds.Count > MaxSeeds)
        {
            throw new UsageException($"Option '--seeds' lists a seed twice or more than {MaxSeeds} seeds; got '{text}'.");
        }
        return seeds;
    }
}
