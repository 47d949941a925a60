using OnDeviceReco.Protocol.Cohorts;

namespace OnDeviceReco.Trainer.Cohorts;

/// <summary>
/// Popularity per cohort from training data: for every label (an attribute value, a search) shared by at least
/// <see cref="CohortOptions.MinUsers"/> users, the share of those users who chose each item, best first. Cohorts
/// smaller than that are left out, so a table never describes what a handful of people did.
/// </summary>
public static class CohortPopularityBuilder
{
    /// <param name="sequences">Per user, item indices (1..items) — the training sequences.</param>
    /// <param name="itemIdOf">Item id of an index.</param>
    /// <param name="labelsOf">Per user (parallel to <paramref name="sequences"/>), the cohorts the user belongs to.</param>
    /// <param name="options">Bounds.</param>
    public static CohortTable Build(IReadOnlyList<int[]> sequences, Func<int, string> itemIdOf,
        IReadOnlyList<IReadOnlyCollection<string>> labelsOf, CohortOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(itemIdOf);
        ArgumentNullException.ThrowIfNull(labelsOf);
        if (labelsOf.Count != sequences.Count)
        {
            throw new ArgumentException($"{labelsOf.Count} label sets for {sequences.Count} users.", nameof(labelsOf));
        }
        options ??= new CohortOptions();
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int user = 0; user < sequences.Count; user++)
        {
            foreach (string label in labelsOf[user].Distinct(StringComparer.Ordinal))
            {
                if (!members.TryGetValue(label, out var list))
                {
                    members[label] = list = [];
                }
                list.Add(user);
            }
        }
        var cohorts = new List<Cohort>();
        // The largest cohorts first, so the cap keeps those that describe the most people.
        foreach (var (label, users) in members.Where(m => m.Value.Count >= options.MinUsers)
                     .OrderByDescending(m => m.Value.Count).ThenBy(m => m.Key, StringComparer.Ordinal).Take(options.MaxCohorts))
        {
            var chosenBy = new Dictionary<int, int>();
            foreach (int user in users)
            {
                foreach (int item in sequences[user].Distinct())
                {
                    chosenBy[item] = chosenBy.GetValueOrDefault(item) + 1;
                }
            }
            var top = chosenBy.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(options.ItemsPerCohort)
                .Select(c => (itemIdOf(c.Key), (float)c.Value / users.Count))
                .ToList();
            if (top.Count > 0)
            {
                cohorts.Add(new Cohort(label, users.Count, top));
            }
        }
        return new CohortTable(cohorts);
    }
}

/// <summary>Bounds of a cohort table.</summary>
/// <param name="MinUsers">Smallest cohort kept (k-anonymity of a sort: no cohort describes fewer people).</param>
/// <param name="ItemsPerCohort">Items listed per cohort.</param>
/// <param name="MaxCohorts">Most cohorts kept, largest first.</param>
public sealed record CohortOptions(int MinUsers = 5, int ItemsPerCohort = 100, int MaxCohorts = 10_000);
