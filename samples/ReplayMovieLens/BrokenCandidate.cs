using System.Security.Cryptography;
using OnDeviceReco.Protocol;

namespace ReplayMovieLens;

/// <summary>
/// A deliberately broken model for <c>--bad-candidate</c>: a published bundle whose item list is shuffled, so every
/// item id gets another item's vector — a model that passes every signature and hash check and recommends nonsense,
/// the kind only players' behaviour exposes. Signed with the server's key like any candidate.
/// </summary>
internal static class BrokenCandidate
{
    public static void Write(VerifiedBundle source, long version, string directory, ECDsa signingKey, int seed)
    {
        var items = source.Manifest.Items.ToArray();
        new Random(seed).Shuffle(items);
        var manifest = new BundleManifest
        {
            FormatVersion = source.Manifest.FormatVersion,
            ModelVersion = version,
            CreatedAt = DateTimeOffset.UtcNow,
            Architecture = source.Manifest.Architecture,
            MaxSequenceLength = source.Manifest.MaxSequenceLength,
            EmbeddingDimension = source.Manifest.EmbeddingDimension,
            Items = items,
            Popularity = source.Manifest.Popularity,
            Metrics = source.Manifest.Metrics,
        };
        // Every file but the manifest, its signature and the item list (written again from the shuffled items).
        var files = source.Files.Where(f => f.Key != BundleFileNames.ItemList).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        BundleSigner.WriteBundle(directory, manifest, files, signingKey);
    }
}
