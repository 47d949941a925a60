using OnDeviceReco.Protocol;
using static OnDeviceReco.EndToEnd.Tests.BundleFixture;

namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>
/// The trainer's default bundle keeps its item list in items.bin (manifest format 2): served like the JSON list
/// of format 1 bundles, which still load; a changed or malformed list is refused and the last model keeps serving.
/// </summary>
public sealed class ItemListBundleTests : IClassFixture<BundleFixture>, IDisposable
{
    private readonly BundleFixture _fixture;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-e2e-items", Guid.NewGuid().ToString("N"));
    private readonly RecoClient _client;

    public ItemListBundleTests(BundleFixture fixture)
    {
        _fixture = fixture;
        Directory.CreateDirectory(_dir);
        _client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = Path.Combine(_dir, "store.db") },
            TrustedModelKeys = [_fixture.PublicKeyPem],
        });
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (int i = 0; i < 5; i++)
        {
            _client.Track("u", ItemId(10 + i), EventType.Play, timestamp: start.AddSeconds(i));
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private List<string> Top(int count = 10) => _client.Recommend("u", count).Select(r => r.ItemId).ToList();

    /// <summary>A copy of <paramref name="bundle"/>'s verified files, re-signed after <paramref name="change"/> with the fixture's key.</summary>
    private string Resigned(string bundle, string name, Func<BundleManifest, Dictionary<string, byte[]>, BundleManifest> change)
    {
        var verified = new BundleVerifier([_fixture.PublicKeyPem]).Verify(bundle);
        var files = verified.Files.ToDictionary(StringComparer.Ordinal);
        var manifest = change(verified.Manifest, files);
        using var key = BundleSigner.ImportPrivateKeyPem(_fixture.PrivateKeyPem);
        string directory = Path.Combine(_dir, name);
        BundleSigner.WriteBundle(directory, manifest, files, key);
        return directory;
    }

    [Fact]
    public void The_default_bundle_reads_its_items_from_items_bin_and_serves_as_its_format_1_copy()
    {
        var verified = new BundleVerifier([_fixture.PublicKeyPem]).Verify(_fixture.V1);
        Assert.Equal(BundleManifest.ItemListFormatVersion, verified.Manifest.FormatVersion);
        Assert.IsType<ItemList>(verified.Manifest.Items);
        Assert.Equal("Game 3", verified.Manifest.Items.Single(i => i.Id == ItemId(3)).Title);

        _client.LoadModel(_fixture.V1);
        var fromFile = _client.Recommend("u", 10);
        Assert.All(fromFile, r => Assert.Equal(RecommendationSource.Model, r.Source));
        Assert.Contains(fromFile, r => r.Reason.StartsWith("Because you played Game ", StringComparison.Ordinal));

        // The same compact bundle as last release's trainer wrote it: format 1, items in the manifest's JSON.
        string format1 = Resigned(_fixture.V1, "format-1", (m, files) =>
        {
            files.Remove(BundleFileNames.ItemList);
            return m with { FormatVersion = BundleManifest.CurrentFormatVersion, Items = m.Items.ToList() };
        });
        Assert.DoesNotContain(BundleFileNames.ItemList, Directory.GetFiles(format1).Select(Path.GetFileName));
        _client.LoadModel(format1);
        Assert.Equal(fromFile.Select(r => (r.ItemId, r.Reason)), _client.Recommend("u", 10).Select(r => (r.ItemId, r.Reason)));
    }

    [Fact]
    public void A_changed_item_list_is_refused_and_the_last_good_model_keeps_serving()
    {
        _client.LoadModel(_fixture.V1);
        var before = Top();
        string copy = Path.Combine(_dir, "tampered");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(_fixture.V2))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        string list = Path.Combine(copy, BundleFileNames.ItemList);
        var bytes = File.ReadAllBytes(list);
        bytes[^3] ^= 0x01; // inside the last id's text
        File.WriteAllBytes(list, bytes);
        var error = Assert.Throws<ModelLoadException>(() => _client.LoadModel(copy));
        Assert.Equal(BundleRejectReason.FileHashMismatch, error.Rejection);

        File.WriteAllBytes(list, bytes[..^10]); // truncated
        error = Assert.Throws<ModelLoadException>(() => _client.LoadModel(copy));
        Assert.Equal(BundleRejectReason.FileHashMismatch, error.Rejection);
        Assert.Equal(1, _client.Model!.ModelVersion);
        Assert.Equal(before, Top());
    }

    [Fact]
    public void A_truncated_item_list_signed_by_the_trusted_key_is_refused_before_it_is_read()
    {
        _client.LoadModel(_fixture.V1);
        // Listed and hashed correctly, signed by the trusted key, but cut short: only the reader's checks stop it.
        string broken = Resigned(_fixture.V2, "truncated", (m, files) =>
        {
            files[BundleFileNames.ItemList] = files[BundleFileNames.ItemList][..^7];
            return m with { FormatVersion = BundleManifest.CurrentFormatVersion, Items = m.Items.ToList() };
        });
        // Written as format 1 (items.bin an ordinary listed file) so the writer does not re-encode it; now make it format 2.
        string manifest = Path.Combine(broken, BundleFileNames.Manifest);
        string json = File.ReadAllText(manifest).Replace("\"formatVersion\":1", "\"formatVersion\":2", StringComparison.Ordinal);
        json = json[..json.IndexOf(",\"items\":[", StringComparison.Ordinal)] + "}";
        using (var key = BundleSigner.ImportPrivateKeyPem(_fixture.PrivateKeyPem))
        {
            File.WriteAllText(manifest, json);
            File.WriteAllBytes(Path.Combine(broken, BundleFileNames.Signature), BundleSigner.SignManifest(System.Text.Encoding.UTF8.GetBytes(json), key));
        }
        var error = Assert.Throws<ModelLoadException>(() => _client.LoadModel(broken));
        Assert.Equal(BundleRejectReason.ManifestMalformed, error.Rejection);
        Assert.Contains(BundleFileNames.ItemList, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _client.Model!.ModelVersion);
    }
}
