namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>
/// Upper-confidence exploration computed the slow, obvious way from what a test can see (the model's own order of
/// the items, the impressions it recorded, the bundle's popularity list), straight from the formula the SDK
/// documents: <c>relevance + c·σ·e</c>, <c>σ = √(ln(2 + N) / (1 + n + g + 3·p))</c> (p: devices the server's exposure table says showed the item), e the user's exponential draw
/// (FNV-1a of user id, '\n', item id, SplitMix64's finaliser). The SDK computes the same with indices, pooled
/// buffers and the user's hash taken once; this is what it must keep giving, bit for bit.
/// </summary>
internal static class ExplorationOracle
{
    private const double Confidence = 1.0;
    private const double TrainingEvidence = 4.0;
    private const double PopulationEvidence = 3.0;

    /// <param name="plausible">The better half of the model's order, after the request's filters, best first.</param>
    /// <param name="skipped">Items the user touched and items already in the answer.</param>
    /// <param name="shown">Impressions per item for this user.</param>
    /// <param name="popularity">The bundle's popularity list.</param>
    /// <param name="population">Devices per item from the exposure table; none here (these devices never sync).</param>
    public static List<(string Id, double Score)> Picks(string userId, IReadOnlyList<string> plausible, ISet<string> skipped,
        IReadOnlyDictionary<string, int> shown, IReadOnlyList<string> popularity, int slots, IReadOnlyDictionary<string, int>? population = null)
    {
        double log = Math.Log(2 + shown.Values.Sum(c => (long)c));
        var scored = new List<(string Id, double Score)>();
        for (int rank = 0; rank < plausible.Count; rank++)
        {
            string id = plausible[rank];
            if (skipped.Contains(id))
            {
                continue;
            }
            int popular = popularity.ToList().IndexOf(id);
            double training = popular < 0 ? 0 : TrainingEvidence * (1 - popular / (double)Math.Max(1, popularity.Count));
            double relevance = 1 - rank / (double)plausible.Count;
            double devices = PopulationEvidence * (population?.GetValueOrDefault(id) ?? 0);
            double uncertainty = Math.Sqrt(log / (1 + (shown.GetValueOrDefault(id) + training + devices)));
            scored.Add((id, relevance + Confidence * uncertainty * Draw(userId, id)));
        }
        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Id, StringComparer.Ordinal).Take(slots).ToList();
    }

    private static double Draw(string userId, string itemId)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in userId + "\n" + itemId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return -Math.Log(((hash >> 11) + 1) / 9007199254740992.0);
    }
}
