using OnDeviceReco.Protocol;
using OnDeviceReco.Protocol.Cohorts;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Cohorts;
using static OnDeviceReco.EndToEnd.Tests.BundleFixture;

namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>
/// The bundle's cohort table on the device: written by the trainer, signed, verified, read only from the verified
/// bytes; a new user's attributes pick the cold-start list; a tampered or malformed table refuses the bundle and the
/// last good model keeps serving.
/// </summary>
public sealed class CohortBundleTests : IClassFixture<BundleFixture>, IDisposable
{
    private readonly BundleFixture _fixture;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-e2e-cohorts", Guid.NewGuid().ToString("N"));
    private readonly System.Security.Cryptography.ECDsa _key = BundleSigner.CreateKey();
    private readonly RecoClient _client;

    public CohortBundleTests(BundleFixture fixture)
    {
        _fixture = fixture;
        Directory.CreateDirectory(_dir);
        _client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = Path.Combine(_dir, "store.db") },
            TrustedModelKeys = [BundleSigner.ExportPublicKeyPem(_key)],
        });
    }

    public void Dispose()
    {
        _client.Dispose();
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Training users whose sequence starts in the first half of the ring are "ios", the others "android".</summary>
    private CohortTable Cohorts() => CohortPopularityBuilder.Build(_fixture.Data.Sequences, _fixture.Data.Items.IdOf,
        _fixture.Data.Sequences.Select(s => (IReadOnlyCollection<string>)[CohortTable.AttributeLabel("platform", Number(_fixture.Data.Items.IdOf(s[0])) < Items / 2 ? "ios" : "android")]).ToList());

    private static int Number(string id) => int.Parse(id["game-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private string Write(string name, long version, CohortTable? cohorts)
    {
        string directory = Path.Combine(_dir, name);
        ModelBundleWriter.Write(directory, _fixture.Model, _fixture.Data, version, new Dictionary<string, double>(), _key, DateTimeOffset.UtcNow, cohorts: cohorts);
        return directory;
    }

    [Fact]
    public void A_new_user_gets_the_popular_items_of_their_attribute_value_from_the_verified_table()
    {
        var table = Cohorts();
        _client.LoadModel(Write("with-cohorts", 3, table));
        _client.SetUserAttribute("newcomer", "platform", "ios");

        var shown = _client.Recommend("newcomer", 5);

        var expected = table.Blend(["attr:platform=ios"], 5).Select(b => b.ItemId).ToList();
        Assert.Equal(expected, shown.Select(r => r.ItemId));
        Assert.All(shown, r => Assert.Equal(RecommendationSource.Cohort, r.Source));
        Assert.Equal("Popular with people who share your platform = ios", shown[0].Reason);
        // Global popularity (the bundle's list) would have answered differently: the attribute changed the answer.
        var global = _client.Recommend("someone-without-attributes", 5);
        Assert.All(global, r => Assert.Equal(RecommendationSource.Popularity, r.Source));
        _client.SetUserAttribute("android-user", "platform", "android");
        var android = table.Blend(["attr:platform=android"], 5).Select(b => b.ItemId).ToList();
        Assert.Equal(android, _client.Recommend("android-user", 5).Select(r => r.ItemId));
        Assert.NotEqual(expected, android);
    }

    [Fact]
    public void A_bundle_without_a_table_serves_as_before_and_one_with_history_is_served_by_the_model()
    {
        _client.LoadModel(Write("plain", 3, null));
        _client.SetUserAttribute("newcomer", "platform", "ios");
        Assert.All(_client.Recommend("newcomer", 5), r => Assert.Equal(RecommendationSource.Popularity, r.Source));

        _client.LoadModel(Write("with-cohorts", 4, Cohorts()));
        _client.Track("newcomer", ItemId(5), EventType.Play);
        Assert.Equal(RecommendationSource.Model, _client.Recommend("newcomer", 3)[0].Source);
    }

    [Fact]
    public void A_tampered_table_fails_verification_and_a_malformed_signed_one_fails_loading_and_the_last_model_keeps_serving()
    {
        _client.LoadModel(Write("good", 3, Cohorts()));

        string tampered = Write("tampered", 4, Cohorts());
        string file = Path.Combine(tampered, BundleFileNames.CohortPopularity);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
        var refused = Assert.Throws<ModelLoadException>(() => _client.LoadModel(tampered));
        Assert.Equal(BundleRejectReason.FileHashMismatch, refused.Rejection);

        // Signed by the trusted key, but not a table: verification passes, decoding refuses the bundle as a whole.
        string malformed = Path.Combine(_dir, "malformed");
        string source = Write("source", 5, Cohorts());
        // items.bin is written again from the manifest's items, like every format-2 bundle.
        var files = Directory.GetFiles(source).Where(f => !Path.GetFileName(f).StartsWith("manifest.", StringComparison.Ordinal)
                && Path.GetFileName(f) != BundleFileNames.ItemList)
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        files[BundleFileNames.CohortPopularity] = [.. "ODRC"u8, 1, 0, 0xFF, 0xFF, 0xFF, 0x7F];
        var parsed = new BundleVerifier([BundleSigner.ExportPublicKeyPem(_key)]).Verify(source).Manifest;
        BundleSigner.WriteBundle(malformed, parsed, files, _key);
        var error = Assert.Throws<ModelLoadException>(() => _client.LoadModel(malformed));
        Assert.Contains("Cohort table", error.Message);

        Assert.Equal(3, _client.Model!.ModelVersion);
        _client.SetUserAttribute("newcomer", "platform", "ios");
        Assert.All(_client.Recommend("newcomer", 5), r => Assert.Equal(RecommendationSource.Cohort, r.Source));
    }
}
