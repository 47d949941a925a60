using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>
/// Format 2 bundles: the item list as the signed binary file items.bin, read in place. Round trips (multi-byte
/// UTF-8 included), refusal of every malformed list before anything reads it, and format 1 unchanged.
/// </summary>
public sealed class ItemListTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ECDsa _key = BundleSigner.CreateKey();

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    private static readonly BundleItem[] Sample =
    [
        new("i1", "Amélie — 天使", ["drama", "romance"]),
        new("café-é", null, []),
        new("天使-🎮", "🎮 Game", ["drama"]),
        new("Ωmega", "Quote \" and \\ backslash", ["drama", "romance"]),
    ];

    private BundleManifest Manifest(IReadOnlyList<BundleItem> items, int version = BundleManifest.ItemListFormatVersion) => TestBundle.SampleManifest() with
    {
        FormatVersion = version,
        Items = items,
        Popularity = [items[^1].Id, items[0].Id],
    };

    private string Write(BundleManifest manifest, string name = "bundle")
    {
        string directory = _temp.Combine(name);
        BundleSigner.WriteBundle(directory, manifest, new Dictionary<string, byte[]> { [BundleFileNames.Model] = [1, 2, 3] }, _key);
        return directory;
    }

    private BundleVerifier Verifier(BundleLimits? limits = null) => new([_key], limits);

    [Fact]
    public void Items_round_trip_through_items_bin_with_multibyte_ids_titles_and_shared_categories()
    {
        string directory = Write(Manifest(Sample));
        string json = File.ReadAllText(Path.Combine(directory, BundleFileNames.Manifest));
        Assert.Contains("\"formatVersion\":2", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"items\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("天使", json, StringComparison.Ordinal);

        var verified = Verifier().Verify(directory);
        var items = Assert.IsType<ItemList>(verified.Manifest.Items);
        Assert.Equal(Sample.Length, items.Count);
        for (int i = 0; i < Sample.Length; i++)
        {
            Assert.Equal(Sample[i].Id, items.Id(i));
            Assert.Equal(Sample[i].Title, items.Title(i));
            Assert.Equal(Sample[i].Categories, items.Categories(i));
            Assert.True(items.TryGetPosition(Sample[i].Id, out int position));
            Assert.Equal(i, position);
            Assert.Equal(Sample[i].Id, items[i].Id);
        }
        Assert.Same(items.Categories(0), items.Categories(3)); // one array per distinct category set
        Assert.Same(items.Id(2), items.Id(2));                 // an id is made a string once
        Assert.False(items.TryGetPosition("cafe-e", out _));
        Assert.False(items.TryGetPosition("天使", out _));
        Assert.False(items.TryGetPosition("\uD800", out _));   // a lone surrogate has no UTF-8 form
        Assert.False(items.TryGetPosition("", out _));
        Assert.Equal(Sample.Select(s => s.Id), verified.Manifest.Items.Select(i => i.Id));
        Assert.True(verified.Files.ContainsKey(BundleFileNames.ItemList));
    }

    [Fact]
    public void Format_1_bundles_keep_their_json_items_and_still_verify()
    {
        var verified = Verifier().Verify(Write(Manifest(Sample, BundleManifest.CurrentFormatVersion)));
        Assert.Equal(1, verified.Manifest.FormatVersion);
        Assert.IsNotType<ItemList>(verified.Manifest.Items);
        Assert.False(verified.Files.ContainsKey(BundleFileNames.ItemList));
        Assert.Equal(Sample.Select(s => s.Title), verified.Manifest.Items.Select(i => i.Title));
    }

    [Fact]
    public void A_large_list_indexes_every_id()
    {
        var items = Enumerable.Range(1, 20_000).Select(i => new BundleItem($"sku-{i}", i % 3 == 0 ? $"Title {i}" : null, [$"c{i % 7}"])).ToArray();
        var list = ItemList.Read(ItemList.Encode(items), BundleLimits.Default);
        for (int i = 0; i < items.Length; i++)
        {
            Assert.True(list.TryGetPosition(items[i].Id, out int position) && position == i, items[i].Id);
        }
        Assert.False(list.TryGetPosition("sku-0", out _));
        Assert.False(list.TryGetPosition("sku-20001", out _));
    }

    [Fact]
    public void Duplicate_ids_are_refused_by_the_writer_and_by_the_reader()
    {
        BundleItem[] duplicated = [new("same-é", null, []), new("other", null, []), new("same-é", "x", [])];
        Assert.Throws<ArgumentException>(() => Write(Manifest(duplicated) with { Popularity = [] }));

        var rejection = Rejections.Of(Verifier(), WriteWithItemFile(ItemList.Encode(duplicated)));
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
        Assert.Equal(BundleFileNames.ItemList, rejection.FileName);
        Assert.Contains("appears twice", rejection.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Corruptions => new(CorruptionEdits.Keys);

    private static readonly Dictionary<string, Func<byte[], byte[]>> CorruptionEdits = new()
    {
        ["truncated by one byte"] = b => b[..^1],
        ["truncated to half"] = b => b[..(b.Length / 2)],
        ["header only"] = b => b[..32],
        ["empty"] = _ => [],
        ["a byte too many"] = b => [.. b, 0],
        ["bad magic"] = b => Edit(b, x => x[0] = (byte)'X'),
        ["unknown layout version"] = b => Edit(b, x => BinaryPrimitives.WriteUInt32LittleEndian(x.AsSpan(8), 2)),
        ["more items than the file holds"] = b => Edit(b, x => BinaryPrimitives.WriteUInt32LittleEndian(x.AsSpan(12), 1_000)),
        ["no items"] = b => Edit(b, x => BinaryPrimitives.WriteUInt32LittleEndian(x.AsSpan(12), 0)),
        ["id outside the text"] = b => Edit(b, x => BinaryPrimitives.WriteUInt32LittleEndian(x.AsSpan(32), 0x7FFF_FFF0)),
        ["id of zero bytes"] = b => Edit(b, x => BinaryPrimitives.WriteUInt16LittleEndian(x.AsSpan(36), 0)),
        ["title running past the text"] = b => Edit(b, x => BinaryPrimitives.WriteUInt16LittleEndian(x.AsSpan(38), 60_000)),
        ["category set out of range"] = b => Edit(b, x => BinaryPrimitives.WriteUInt32LittleEndian(x.AsSpan(40), 99)),
        ["invalid UTF-8 in an id"] = b => Edit(b, x => x[TextStart(x)] = 0xFF),
        ["control character in an id"] = b => Edit(b, x => x[TextStart(x)] = 0x07),
        ["C1 control in an id"] = b => Edit(b, x => { x[TextStart(x)] = 0xC2; x[TextStart(x) + 1] = 0x85; }),
    };

    private static byte[] Edit(byte[] bytes, Action<byte[]> edit)
    {
        var copy = bytes.ToArray();
        edit(copy);
        return copy;
    }

    /// <summary>Where the text of a list written by <see cref="ItemList.Encode"/> begins: its last T bytes.</summary>
    private static int TextStart(byte[] bytes) => bytes.Length - (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28));

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_malformed_item_list_signed_by_a_trusted_key_is_refused(string corruption)
    {
        // Two-byte ids first, so the id edits hit a whole character.
        BundleItem[] items = [new("ab", "t", ["c"]), new("cd", null, [])];
        byte[] bytes = CorruptionEdits[corruption](ItemList.Encode(items));
        var rejection = Rejections.Of(Verifier(), WriteWithItemFile(bytes, popularity: []));
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
        Assert.Equal(BundleFileNames.ItemList, rejection.FileName);
        Assert.StartsWith(BundleFileNames.ItemList, rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_item_list_fails_its_hash()
    {
        string directory = Write(Manifest(Sample));
        string path = Path.Combine(directory, BundleFileNames.ItemList);
        var bytes = File.ReadAllBytes(path);
        foreach (int offset in new[] { 0, 12, bytes.Length / 2, bytes.Length - 1 })
        {
            bytes[offset] ^= 0x10;
            File.WriteAllBytes(path, bytes);
            var rejection = Rejections.Of(Verifier(), directory);
            Assert.Equal(BundleRejectReason.FileHashMismatch, rejection.Reason);
            Assert.Equal(BundleFileNames.ItemList, rejection.FileName);
            bytes[offset] ^= 0x10;
        }
        File.WriteAllBytes(path, bytes[..^1]);
        Assert.Equal(BundleRejectReason.FileHashMismatch, Rejections.Of(Verifier(), directory).Reason);
    }

    [Fact]
    public void Format_2_manifests_must_list_items_bin_and_carry_no_json_items()
    {
        string directory = Write(Manifest(Sample));
        string json = File.ReadAllText(Path.Combine(directory, BundleFileNames.Manifest));

        // JSON items as well as the file: two vocabularies for one bundle.
        string withItems = json[..^1] + ",\"items\":[{\"id\":\"x\"}]}";
        Resign(directory, withItems);
        Assert.Contains("'items'", Rejections.Of(Verifier(), directory).Message, StringComparison.Ordinal);

        // The file not listed (and so not in the directory either).
        File.Delete(Path.Combine(directory, BundleFileNames.ItemList));
        Resign(directory, Regex.Replace(json, "\"items\\.bin\":\"[0-9a-f]{64}\",?", "").Replace(",}", "}", StringComparison.Ordinal));
        var rejection = Rejections.Of(Verifier(), directory);
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
        Assert.Contains(BundleFileNames.ItemList, rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Popularity_and_onboarding_may_only_name_listed_items_and_the_item_limit_applies()
    {
        var rejection = Rejections.Of(Verifier(), WriteWithItemFile(ItemList.Encode(Sample), popularity: ["nope"]));
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
        Assert.Contains("popularity", rejection.Message, StringComparison.Ordinal);

        string listed = Write(Manifest(Sample) with { Onboarding = [Sample[0].Id, Sample[2].Id] }, "onboarding");
        Assert.Equal([Sample[0].Id, Sample[2].Id], Verifier().Verify(listed).Manifest.Onboarding);
        string json = File.ReadAllText(Path.Combine(listed, BundleFileNames.Manifest));
        Resign(listed, json.Replace($"\"onboarding\":[\"{Sample[0].Id}\"", "\"onboarding\":[\"nope\"", StringComparison.Ordinal));
        rejection = Rejections.Of(Verifier(), listed);
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
        Assert.Contains("onboarding", rejection.Message, StringComparison.Ordinal);

        string directory = Write(Manifest(Sample), "limited");
        Assert.Equal(Sample.Length, Verifier(new BundleLimits { MaxItems = Sample.Length }).Verify(directory).Manifest.Items.Count);
        rejection = Rejections.Of(Verifier(new BundleLimits { MaxItems = Sample.Length - 1 }), directory);
        Assert.Equal(BundleFileNames.ItemList, rejection.FileName);
    }

    /// <summary>
    /// A format 2 bundle whose items.bin is <paramref name="itemFile"/> as given, correctly hashed and signed by the
    /// trusted key: only the reader's own checks stand between these bytes and the device.
    /// </summary>
    private string WriteWithItemFile(byte[] itemFile, IReadOnlyList<string>? popularity = null)
    {
        string directory = _temp.Combine($"crafted-{Guid.NewGuid():N}");
        // Written as format 1 with items.bin as an ordinary listed file, then turned into format 2 and signed again.
        var manifest = Manifest([new BundleItem("placeholder", null, [])], BundleManifest.CurrentFormatVersion) with { Popularity = [] };
        BundleSigner.WriteBundle(directory, manifest, new Dictionary<string, byte[]> { [BundleFileNames.Model] = [1, 2, 3], [BundleFileNames.ItemList] = itemFile }, _key);
        string json = File.ReadAllText(Path.Combine(directory, BundleFileNames.Manifest));
        json = json.Replace("\"formatVersion\":1", "\"formatVersion\":2", StringComparison.Ordinal);
        json = Regex.Replace(json, ",\"items\":\\[.*\\]\\}$", "}");
        string list = string.Join(',', (popularity ?? []).Select(p => $"\"{p}\""));
        json = Regex.Replace(json, "\"popularity\":\\[[^\\]]*\\]", $"\"popularity\":[{list}]");
        Resign(directory, json);
        return directory;
    }

    private void Resign(string directory, string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        File.WriteAllBytes(Path.Combine(directory, BundleFileNames.Manifest), bytes);
        File.WriteAllBytes(Path.Combine(directory, BundleFileNames.Signature), BundleSigner.SignManifest(bytes, _key));
    }
}
