using System.Text;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>The manifest codec on its own: caps on hostile input, and the writer refusing what devices would refuse.</summary>
public sealed class ManifestJsonTests
{
    private static BundleManifest Complete(BundleManifest m) => m with
    {
        KeyId = "0123456789abcdef",
        Files = new Dictionary<string, string> { [BundleFileNames.Model] = new string('a', 64) },
    };

    private static BundleManifest WithItems(int count) => Complete(TestBundle.SampleManifest() with
    {
        Items = Enumerable.Range(1, count).Select(i => new BundleItem($"item-{i}", null, ["c"])).ToList(),
        Popularity = [],
    });

    [Fact]
    public void Item_count_is_capped()
    {
        byte[] json = BundleManifestJson.Write(WithItems(10));
        Assert.Equal(10, BundleManifestJson.Read(json, new BundleLimits { MaxItems = 10 }).Items.Count);

        var e = Assert.Throws<BundleVerificationException>(() => BundleManifestJson.Read(json, new BundleLimits { MaxItems = 9 }));
        Assert.Equal(BundleRejectReason.ManifestMalformed, e.Reason);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Manifest_size_is_capped()
    {
        byte[] json = BundleManifestJson.Write(WithItems(10));
        var e = Assert.Throws<BundleVerificationException>(() => BundleManifestJson.Read(json, new BundleLimits { MaxManifestBytes = json.Length - 1 }));
        Assert.Equal(BundleRejectReason.FileTooLarge, e.Reason);
        Assert.Equal(BundleFileNames.Manifest, e.FileName);
    }

    [Fact]
    public void The_onboarding_list_round_trips_in_order_and_a_manifest_without_one_reads_as_none()
    {
        BundleManifest with3 = WithItems(3) with { Onboarding = ["item-3", "item-1"] };
        Assert.Equal(["item-3", "item-1"], BundleManifestJson.Read(BundleManifestJson.Write(with3)).Onboarding);

        byte[] without = BundleManifestJson.Write(WithItems(3));
        Assert.DoesNotContain("onboarding", Encoding.UTF8.GetString(without), StringComparison.Ordinal);
        Assert.Null(BundleManifestJson.Read(without).Onboarding);
    }

    [Fact]
    public void A_repeated_onboarding_property_is_refused()
    {
        string json = Encoding.UTF8.GetString(BundleManifestJson.Write(WithItems(3) with { Onboarding = ["item-1"] }));
        byte[] twice = Encoding.UTF8.GetBytes(json.Replace("\"onboarding\":[\"item-1\"]", "\"onboarding\":[\"item-1\"],\"onboarding\":[\"item-2\"]", StringComparison.Ordinal));
        var e = Assert.Throws<BundleVerificationException>(() => BundleManifestJson.Read(twice));
        Assert.Equal(BundleRejectReason.ManifestMalformed, e.Reason);
    }

    [Fact]
    public void Categories_are_shared_between_items()
    {
        BundleManifest read = BundleManifestJson.Read(BundleManifestJson.Write(WithItems(3)));
        Assert.Same(read.Items[0].Categories[0], read.Items[2].Categories[0]);
    }

    [Theory]
    [InlineData(256, 1, true)]
    [InlineData(257, 1, false)]
    [InlineData(128, 2, true)]   // "é" is two UTF-8 bytes: the limit counts bytes, not characters
    [InlineData(129, 2, false)]
    public void Id_length_is_capped_in_utf8_bytes(int characters, int bytesPerCharacter, bool accepted)
    {
        string id = new(bytesPerCharacter == 1 ? 'x' : 'é', characters);
        BundleManifest m = Complete(TestBundle.SampleManifest() with { Items = [new BundleItem(id, null, [])], Popularity = [] });
        if (accepted)
        {
            Assert.Equal(id, BundleManifestJson.Read(BundleManifestJson.Write(m)).Items[0].Id);
        }
        else
        {
            Assert.Throws<ArgumentException>(() => BundleManifestJson.Write(m));
            byte[] json = BundleManifestJson.Write(m with { Items = [new BundleItem("short", null, [])] });
            byte[] longer = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json).Replace("\"short\"", $"\"{id}\"", StringComparison.Ordinal));
            var e = Assert.Throws<BundleVerificationException>(() => BundleManifestJson.Read(longer));
            Assert.Equal(BundleRejectReason.ManifestMalformed, e.Reason);
        }
    }

    public static TheoryData<string> BadManifests => new(BadManifestEdits.Keys);

    private static readonly Dictionary<string, Func<BundleManifest, BundleManifest>> BadManifestEdits = new()
    {
        ["format version 3"] = m => m with { FormatVersion = 3 },
        ["format version 2 without items.bin"] = m => m with { FormatVersion = 2 },
        ["negative model version"] = m => m with { ModelVersion = -1 },
        ["empty architecture"] = m => m with { Architecture = "" },
        ["zero sequence length"] = m => m with { MaxSequenceLength = 0 },
        ["no items"] = m => m with { Items = [], Popularity = [] },
        ["duplicate item ids"] = m => m with { Items = [new("a", null, []), new("a", null, [])], Popularity = [] },
        ["empty category"] = m => m with { Items = [new("a", null, [""])], Popularity = [] },
        ["too many categories"] = m => m with { Items = [new("a", null, Enumerable.Range(0, 33).Select(i => $"c{i}").ToArray())], Popularity = [] },
        ["long title"] = m => m with { Items = [new("a", new string('t', 1025), [])], Popularity = [] },
        ["unknown popular id"] = m => m with { Popularity = ["nope"] },
        ["repeated popular id"] = m => m with { Popularity = ["i1", "i1"] },
        ["unknown onboarding id"] = m => m with { Onboarding = ["nope"] },
        ["repeated onboarding id"] = m => m with { Onboarding = ["i1", "i1"] },
        ["NaN metric"] = m => m with { Metrics = new Dictionary<string, double> { ["ndcg@10"] = double.NaN } },
        ["short key id"] = m => m with { KeyId = "abc" },
        ["no model file"] = m => m with { Files = new Dictionary<string, string> { ["vocab.txt"] = new string('a', 64) } },
        ["bad hash"] = m => m with { Files = new Dictionary<string, string> { [BundleFileNames.Model] = "abc" } },
        ["case-colliding files"] = m => m with
        {
            Files = new Dictionary<string, string> { [BundleFileNames.Model] = new string('a', 64), ["Vocab.txt"] = new string('a', 64), ["vocab.txt"] = new string('b', 64) },
        },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public void The_writer_refuses_a_manifest_a_device_would_refuse(string edit)
    {
        BundleManifest valid = Complete(TestBundle.SampleManifest());
        BundleManifestJson.Write(valid);
        Assert.Throws<ArgumentException>(() => BundleManifestJson.Write(BadManifestEdits[edit](valid)));
    }
}
