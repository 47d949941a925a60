using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Trainer.Tests.Text;

/// <summary>Item texts are encoded once: a second attach reads the cache; a changed text is encoded again, alone.</summary>
public sealed class TextVectorCacheTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-text-cache", Guid.NewGuid().ToString("N"));
    private string CachePath => Path.Combine(_dir, "vectors.bin");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static ItemVocabulary Catalogue(string? thirdDescription = null)
    {
        var items = new ItemVocabulary();
        items.Add("1", "Toy Story (1995)", ["Animation", "Comedy"]);
        items.Add("2", "Heat (1995)", ["Action", "Crime"]);
        items.Add("3", "Arcade Racer", ["Racing"], thirdDescription);
        items.Add("4", "Heat (1995)", ["Action", "Crime"]); // the same text as item 2
        return items;
    }

    [Fact]
    public void A_second_attach_encodes_nothing_and_gives_the_same_vectors()
    {
        var first = Catalogue();
        var stats = ItemTextVectors.Attach(first, fixture.Encoder, new TextVectorCache(CachePath));
        Assert.Equal((4, 0, 3), (stats.Items, stats.FromCache, stats.Encoded)); // items 2 and 4 share one text
        Assert.Equal(first.TextVectors!.AsSpan(2 * 384, 384).ToArray(), first.TextVectors!.AsSpan(4 * 384, 384).ToArray());
        Assert.All(first.TextVectors!.AsSpan(0, 384).ToArray(), v => Assert.Equal(0f, v)); // padding row

        long encodedBefore = fixture.Encoder.TextsEncoded;
        var second = Catalogue();
        var again = ItemTextVectors.Attach(second, fixture.Encoder, new TextVectorCache(CachePath));
        Assert.Equal((4, 4, 0), (again.Items, again.FromCache, again.Encoded));
        Assert.Equal(encodedBefore, fixture.Encoder.TextsEncoded);
        Assert.Equal(first.TextVectors, second.TextVectors);
    }

    [Fact]
    public void A_changed_description_is_the_only_text_encoded_again()
    {
        ItemTextVectors.Attach(Catalogue(), fixture.Encoder, new TextVectorCache(CachePath));
        long encodedBefore = fixture.Encoder.TextsEncoded;
        var changed = Catalogue("Neon streets, drifting, and a rival who never loses.");
        var stats = ItemTextVectors.Attach(changed, fixture.Encoder, new TextVectorCache(CachePath));
        Assert.Equal((3, 1), (stats.FromCache, stats.Encoded));
        Assert.Equal(encodedBefore + 1, fixture.Encoder.TextsEncoded);
        Assert.Equal("Arcade Racer. Categories: Racing. Neon streets, drifting, and a rival who never loses.", ItemText.Of(changed, 3));
    }

    [Fact]
    public void A_damaged_cache_file_is_ignored_and_rewritten()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllBytes(CachePath, [1, 2, 3, 4, 5]);
        var stats = ItemTextVectors.Attach(Catalogue(), fixture.Encoder, new TextVectorCache(CachePath));
        Assert.Equal(3, stats.Encoded);
        Assert.Equal(3, new TextVectorCache(CachePath).Count);
    }
}
