using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Cohorts;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The cold-start link between content and global popularity: for a user the model and content scoring could not
/// serve, the items most chosen by the people who share the user's attributes (platform, locale…) and searches,
/// from the cohort table of the loaded bundle (<see cref="BundleFileNames.CohortPopularity"/>), blended by
/// <see cref="CohortTable.Blend"/>. Without a table, or for a user in no known cohort, it adds nothing.
/// </summary>
internal sealed class CohortRanker(BehaviorStore store)
{
    /// <summary>How many of the user's latest searches count.</summary>
    private const int MaxSearches = 16;

    private volatile CohortTable? _table;

    /// <summary>The cohort table from a verified bundle, or null when the bundle has none.</summary>
    /// <exception cref="InvalidDataException">When the (signed) table is malformed: the bundle is refused as a whole.</exception>
    public static CohortTable? Read(VerifiedBundle bundle) =>
        bundle.Files.TryGetValue(BundleFileNames.CohortPopularity, out var bytes)
            ? CohortTableFormat.Decode(bytes, bundle.Manifest.Items.Select(i => i.Id).ToList())
            : null;

    /// <summary>Serves <paramref name="table"/> from now on (null: none).</summary>
    public void Use(CohortTable? table) => _table = table;

    /// <summary>The cohorts <paramref name="userId"/> belongs to, by label.</summary>
    public IEnumerable<string> LabelsOf(string userId) =>
        store.GetUserAttributes(userId).Select(a => CohortTable.AttributeLabel(a.Key, a.Value))
            .Concat(store.GetRecentSearches(userId, MaxSearches).Select(CohortTable.SearchLabel));

    /// <summary>Adds cohort picks until <paramref name="slots"/> are taken in all (or the request is full).</summary>
    public void Fill(RecommendationRequest request, CandidateFilter filter, ResultBuilder results, int slots)
    {
        var table = _table;
        int wanted = Math.Min(request.Count, slots) - results.Items.Count;
        if (table is null || wanted <= 0)
        {
            return;
        }
        foreach (var (id, score, label) in table.Blend(LabelsOf(request.UserId), wanted, id => !results.Contains(id) && filter.Allows(id)))
        {
            results.Add(id, score, RecommendationSource.Cohort, Explanations.Cohort(label));
        }
    }
}
