using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Protocol.Tests.Support;

/// <summary>A signed bundle written to a temp directory with a real key, plus helpers to tamper with it.</summary>
internal sealed class TestBundle : IDisposable
{
    private readonly TempDirectory _temp = new();

    private TestBundle(ECDsa key, IReadOnlyDictionary<string, byte[]> files)
    {
        Key = key;
        Files = files;
        Directory = _temp.Combine("bundle");
        Manifest = BundleSigner.WriteBundle(Directory, SampleManifest(), files, key);
    }

    public ECDsa Key { get; }

    public string Directory { get; }

    public IReadOnlyDictionary<string, byte[]> Files { get; }

    public BundleManifest Manifest { get; }

    public byte[] Model => Files[BundleFileNames.Model];

    /// <summary>A bundle with a random model of <paramref name="modelBytes"/> bytes and a small vocabulary file.</summary>
    public static TestBundle Create(int modelBytes = 3000, int seed = 1)
    {
        var random = new Random(seed);
        byte[] model = new byte[modelBytes];
        random.NextBytes(model);
        var files = new Dictionary<string, byte[]>
        {
            [BundleFileNames.Model] = model,
            ["vocab.txt"] = Encoding.UTF8.GetBytes("i1\ni2\ni3\n"),
        };
        return new TestBundle(BundleSigner.CreateKey(), files);
    }

    public static BundleManifest SampleManifest() => new()
    {
        ModelVersion = 42,
        CreatedAt = new DateTimeOffset(2025, 11, 29, 10, 30, 15, TimeSpan.FromHours(2)).AddTicks(1_234_567),
        Architecture = "sasrec",
        MaxSequenceLength = 50,
        EmbeddingDimension = 64,
        Items =
        [
            new BundleItem("i1", "Amélie — 天使", ["drama", "romance"]),
            new BundleItem("i2", null, []),
            new BundleItem("i3", "Quote \" and \\ backslash", ["drama"]),
        ],
        Popularity = ["i3", "i1"],
        Metrics = new Dictionary<string, double> { ["ndcg@10"] = 0.123456789012345, ["hit@10"] = 0.5 },
    };

    public BundleVerifier Verifier(BundleLimits? limits = null) => new([Key], limits);

    public string PathOf(string name) => System.IO.Path.Combine(Directory, name);

    public byte[] Read(string name) => File.ReadAllBytes(PathOf(name));

    public void Write(string name, byte[] bytes) => File.WriteAllBytes(PathOf(name), bytes);

    /// <summary>Replaces manifest.json with <paramref name="json"/> and signs it with <paramref name="signer"/> (the bundle's key by default).</summary>
    public void WriteSignedManifest(byte[] json, ECDsa? signer = null)
    {
        Write(BundleFileNames.Manifest, json);
        Write(BundleFileNames.Signature, BundleSigner.SignManifest(json, signer ?? Key));
    }

    public string ManifestText => Encoding.UTF8.GetString(Read(BundleFileNames.Manifest));

    public void Dispose()
    {
        Key.Dispose();
        _temp.Dispose();
    }
}
