using System.Globalization;

namespace OnDeviceReco.Protocol.Cohorts;

/// <summary>One cohort's popular items: the share of its users who chose each, best first.</summary>
/// <param name="Label">What the members share (<see cref="CohortTable.AttributeLabel"/>, <see cref="CohortTable.SearchLabel"/>).</param>
/// <param name="Users">How many training users the cohort had (at least the trainer's minimum, so no cohort names a few people).</param>
/// <param name="Items">Item ids with the share of the cohort's users who chose them (0–1), best first.</param>
public sealed record Cohort(string Label, int Users, IReadOnlyList<(string ItemId, float Share)> Items);

/// <summary>
/// Popularity per cohort, as the trainer writes it into a bundle (<see cref="BundleFileNames.CohortPopularity"/>)
/// and the device reads it from the verified bytes. A cohort is everyone who shares an attribute value
/// (<c>attr:platform=ios</c>) or a search (<c>search:racing</c>). <see cref="Blend"/> is the one scoring rule,
/// used by the device's cold-start fallback and by the trainer's measurement alike.
/// </summary>
public sealed class CohortTable
{
    private readonly Dictionary<string, Cohort> _cohorts;

    /// <summary>A table over <paramref name="cohorts"/> (labels unique).</summary>
    public CohortTable(IEnumerable<Cohort> cohorts)
    {
        ArgumentNullException.ThrowIfNull(cohorts);
        _cohorts = cohorts.ToDictionary(c => c.Label, StringComparer.Ordinal);
    }

    /// <summary>Every cohort, by label.</summary>
    public IReadOnlyDictionary<string, Cohort> Cohorts => _cohorts;

    /// <summary>The label of everyone whose attribute <paramref name="key"/> is <paramref name="value"/>.</summary>
    public static string AttributeLabel(string key, string value) => $"attr:{key}={value}";

    /// <summary>The label of everyone who searched <paramref name="query"/> (trimmed, lower case: "Racing " and "racing" are one search).</summary>
    public static string SearchLabel(string query) => "search:" + query.Trim().ToLower(CultureInfo.InvariantCulture);

    /// <summary>
    /// The items most chosen across the cohorts named by <paramref name="labels"/> (unknown labels are skipped): each
    /// item scores the mean of its share over those cohorts, so an item popular in every cohort of the user wins over
    /// one popular in a single cohort. Best first, ties by id; with the cohort that contributed most, for the explanation.
    /// </summary>
    public IReadOnlyList<(string ItemId, double Score, string Label)> Blend(IEnumerable<string> labels, int count, Func<string, bool>? allows = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var matched = labels.Distinct(StringComparer.Ordinal).Select(l => _cohorts.GetValueOrDefault(l)).OfType<Cohort>().ToList();
        if (matched.Count == 0 || count < 1)
        {
            return [];
        }
        var scores = new Dictionary<string, (double Sum, float Best, string Label)>(StringComparer.Ordinal);
        foreach (var cohort in matched)
        {
            foreach (var (item, share) in cohort.Items)
            {
                var (sum, best, label) = scores.GetValueOrDefault(item, (0, -1, cohort.Label));
                scores[item] = share > best ? (sum + share, share, cohort.Label) : (sum + share, best, label);
            }
        }
        return scores
            .Where(s => allows is null || allows(s.Key))
            .Select(s => (s.Key, s.Value.Sum / matched.Count, s.Value.Label))
            .OrderByDescending(s => s.Item2).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(count)
            .ToList();
    }
}
