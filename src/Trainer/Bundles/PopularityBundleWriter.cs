using System.Security.Cryptography;
using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Export;

namespace OnDeviceReco.Trainer.Bundles;

/// <summary>
/// Popularity as a signed model version: a compact bundle whose graph ignores the history (<see cref="PopularityGraph"/>)
/// and whose item rows are [ln(1 + count), 0, 0, 0], so the device's own search ranks unseen items by how many chose
/// them (equal counts by item order). Devices load, verify and serve it like any bundle; an experiment can try it as an
/// arm.
/// </summary>
public static class PopularityBundleWriter
{
    /// <summary>The rows' width: one value that counts, padded to one group of the compact table.</summary>
    public const int Dimension = 4;

    /// <param name="items">The catalogue as devices should know it (e.g. the serving version's items).</param>
    /// <param name="counts">Per item of <paramref name="items"/>, in order, the count it is ranked by (0: last).</param>
    /// <param name="maxSequenceLength">The history length devices pass (read for its shape only).</param>
    public static BundleManifest Write(string directory, IReadOnlyList<BundleItem> items, IReadOnlyList<int> counts, long modelVersion,
        int maxSequenceLength, IReadOnlyDictionary<string, double> metrics, ECDsa signingKey, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != items.Count || counts.Any(c => c < 0))
        {
            throw new ArgumentException("One count of at least 0 per item is needed.", nameof(counts));
        }
        var table = new float[(items.Count + 1) * Dimension]; // row 0 is padding
        for (int i = 0; i < items.Count; i++)
        {
            table[(i + 1) * Dimension] = (float)Math.Log(1 + counts[i]);
        }
        var manifest = new BundleManifest
        {
            FormatVersion = BundleManifest.ItemListFormatVersion,
            ModelVersion = modelVersion,
            CreatedAt = createdAt,
            Architecture = PopularityGraph.Architecture,
            MaxSequenceLength = maxSequenceLength,
            EmbeddingDimension = Dimension,
            Items = items,
            Popularity = Enumerable.Range(0, items.Count).Where(i => counts[i] > 0).OrderByDescending(i => counts[i]).ThenBy(i => i)
                .Take(ModelBundleWriter.PopularityListLength).Select(i => items[i].Id).ToList(),
            Metrics = metrics,
        };
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [BundleFileNames.Model] = PopularityGraph.Export(maxSequenceLength, Dimension),
            [BundleFileNames.CompactItemTable] = CompactTableEncoder.Encode(table, Dimension),
            [BundleFileNames.CompactItemResiduals] = CompactTableEncoder.EncodeResiduals(table, Dimension),
        };
        return BundleSigner.WriteBundle(directory, manifest, files, signingKey);
    }
}
