using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Bundles;
using static OnDeviceReco.EndToEnd.Tests.BundleFixture;

namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>
/// The bundle's popularity list is a table of counts in order: with the items k devices share given, it holds only
/// those, while the item list and the model keep every item; a newcomer served from it (and onboarding, which asks
/// about its head) never sees the others.
/// </summary>
public sealed class PopularityListPrivacyTests(BundleFixture fixture) : IClassFixture<BundleFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "odr-e2e-popularity", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Only_shared_items_enter_the_popularity_list_while_every_item_stays_in_the_bundle()
    {
        using var key = BundleSigner.CreateKey();
        var shared = Enumerable.Range(0, Items).Where(i => i % 3 == 0).Select(ItemId).ToHashSet(StringComparer.Ordinal);

        var manifest = ModelBundleWriter.Write(File("bundle"), fixture.Model, fixture.Data, 4, new Dictionary<string, double>(), key,
            DateTimeOffset.UtcNow, popularItems: shared);

        Assert.NotEmpty(manifest.Popularity);
        Assert.All(manifest.Popularity, id => Assert.Contains(id, shared));
        Assert.Equal(fixture.Data.Items.Count, manifest.Items.Count);

        using var client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = File("store.db") },
            TrustedModelKeys = [BundleSigner.ExportPublicKeyPem(key)],
        });
        client.LoadModel(File("bundle"));
        var newcomer = client.Recommend("newcomer", 10);
        Assert.NotEmpty(newcomer);
        Assert.All(newcomer, r => Assert.Contains(r.ItemId, shared));
        Assert.All(client.ProposeOnboardingItems("newcomer", 5), o => Assert.Contains(o.ItemId, shared));

        var unrestricted = ModelBundleWriter.Write(File("all"), fixture.Model, fixture.Data, 5, new Dictionary<string, double>(), key,
            DateTimeOffset.UtcNow);
        Assert.Contains(unrestricted.Popularity, id => !shared.Contains(id));
    }
}
