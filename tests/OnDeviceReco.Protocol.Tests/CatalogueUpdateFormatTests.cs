using System.Text;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>
/// What a catalogue update changes in the bundle format: an additive manifest field that older readers skip, and a
/// compact table grown at its end with every existing row kept byte for byte.
/// </summary>
public sealed class CatalogueUpdateFormatTests
{
    private static BundleManifest Manifest(CatalogueUpdate? update) => TestBundle.SampleManifest() with
    {
        ModelVersion = 5,
        KeyId = "0123456789abcdef",
        Files = new Dictionary<string, string> { [BundleFileNames.Model] = new string('a', 64) },
        CatalogueUpdate = update,
    };

    [Fact]
    public void The_catalogue_update_mark_round_trips_and_a_trained_version_has_none()
    {
        byte[] json = BundleManifestJson.Write(Manifest(new CatalogueUpdate(4, 2)));
        Assert.Contains("\"catalogueUpdate\":{\"baseVersion\":4,\"addedItems\":2}", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(new CatalogueUpdate(4, 2), BundleManifestJson.Read(json).CatalogueUpdate);
        byte[] trained = BundleManifestJson.Write(Manifest(null));
        Assert.DoesNotContain("catalogueUpdate", Encoding.UTF8.GetString(trained), StringComparison.Ordinal);
        Assert.Null(BundleManifestJson.Read(trained).CatalogueUpdate);
    }

    [Fact]
    public void A_catalogue_update_of_a_bundle_with_newcomers_questions_keeps_both_optional_fields()
    {
        // Each property has its own place in the reader's repeat check: a bundle with both must not read as a repeat.
        var manifest = Manifest(new CatalogueUpdate(4, 1)) with { Onboarding = ["i3", "i1"] };
        var read = BundleManifestJson.Read(BundleManifestJson.Write(manifest));
        Assert.Equal(new CatalogueUpdate(4, 1), read.CatalogueUpdate);
        Assert.Equal(["i3", "i1"], read.Onboarding!);
    }

    [Fact]
    public void A_reader_skips_fields_it_does_not_know_so_older_devices_load_a_catalogue_update()
    {
        // What an older reader sees in a catalogue update is an unknown property: the same rule lets this reader take
        // a manifest with a field from a later version.
        string json = Encoding.UTF8.GetString(BundleManifestJson.Write(Manifest(null)));
        string later = json.Insert(json.Length - 1, ",\"addedLater\":{\"nested\":[1,2,{\"x\":null}]}");
        Assert.Equal(5, BundleManifestJson.Read(Encoding.UTF8.GetBytes(later)).ModelVersion);
    }

    [Theory]
    [InlineData(5, 1)]  // it cannot extend itself
    [InlineData(6, 1)]  // nor a later version
    [InlineData(4, 0)]  // and adds at least one item
    [InlineData(-1, 1)]
    public void A_catalogue_update_that_extends_no_earlier_version_is_refused(long baseVersion, int added)
    {
        byte[] json = BundleManifestJson.Write(Manifest(null));
        string text = Encoding.UTF8.GetString(json);
        string bad = text.Insert(text.Length - 1, $",\"catalogueUpdate\":{{\"baseVersion\":{baseVersion},\"addedItems\":{added}}}");
        var e = Assert.Throws<BundleVerificationException>(() => BundleManifestJson.Read(Encoding.UTF8.GetBytes(bad)));
        Assert.Equal(BundleRejectReason.ManifestMalformed, e.Reason);
        Assert.Contains("catalogueUpdate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7, 3, 6)]    // within one block of 16 rows
    [InlineData(15, 4, 8)]   // across a block boundary
    [InlineData(33, 20, 64)]
    public void An_appended_table_equals_the_table_encoded_whole_so_old_rows_are_untouched(int rows, int added, int dimension)
    {
        var random = new Random(rows * 100 + added);
        float[] all = new float[(rows + added) * dimension];
        for (int i = dimension; i < all.Length; i++)
        {
            all[i] = (float)(random.NextDouble() * 2 - 1) * (1 + i % 7);
        }
        var old = all.AsSpan(0, rows * dimension);
        var (table, residuals) = CompactTableAppender.Append(CompactTableEncoder.Encode(old, dimension), CompactTableEncoder.EncodeResiduals(old, dimension),
            rows, dimension, all.AsSpan(rows * dimension));
        Assert.Equal(CompactTableEncoder.Encode(all, dimension), table);
        Assert.Equal(CompactTableEncoder.EncodeResiduals(all, dimension), residuals);
    }

    [Fact]
    public void Files_of_another_size_are_refused()
    {
        float[] table = new float[4 * 8];
        var e = Assert.Throws<ArgumentException>(() => CompactTableAppender.Append(CompactTableEncoder.Encode(table, 8), CompactTableEncoder.EncodeResiduals(table, 8),
            17, 8, new float[8]));
        Assert.Contains("17 rows", e.Message, StringComparison.Ordinal);
    }
}
