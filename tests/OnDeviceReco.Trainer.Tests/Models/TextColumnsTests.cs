using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Models;

/// <summary>
/// Text columns (<see cref="ModelConfig.TextColumns"/>): a fixed rank-r projection of the sentence vectors appended to
/// every item row, keeping their dot products; the encoder reads the first d columns, its state's taste map and the
/// newest-item term fill the rest of the user vector, and both graphs the device may receive compute what TorchSharp does.
/// </summary>
public sealed class TextColumnsTests
{
    private const double Agreement = 1e-4;

    private static ItemTextInput Text(Random random, int rows, int dimension)
    {
        var vectors = new float[rows * dimension];
        for (int i = dimension; i < vectors.Length; i++)
        {
            vectors[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return new ItemTextInput(vectors, dimension);
    }

    private static float[] Floats(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    [Fact]
    public void At_full_rank_the_columns_keep_every_dot_product_and_lower_ranks_approximate_them_better_as_they_grow()
    {
        var text = Text(new Random(2), 41, 12);
        double Error(int rank)
        {
            var columns = TextColumns.Fit(text, rank);
            var table = Floats(columns.Table);
            Assert.Equal(41 * rank, table.Length);
            Assert.All(table.Take(rank), v => Assert.Equal(0, v)); // padding stays zero
            Assert.Equal(table, columns.Project(text.Vectors)); // a later item gets what the table holds
            double squared = 0;
            for (int a = 1; a < 41; a++)
            {
                for (int b = 1; b < 41; b++)
                {
                    double scaled = Dot(table.AsSpan(a * rank, rank), table.AsSpan(b * rank, rank)) / (TextColumns.Scale * TextColumns.Scale);
                    double exact = Dot(text.Vectors.AsSpan(a * 12, 12), text.Vectors.AsSpan(b * 12, 12));
                    squared += (scaled - exact) * (scaled - exact);
                }
            }
            return Math.Sqrt(squared);
        }
        Assert.True(Error(12) < 1e-3, $"full rank: {Error(12)}");
        double two = Error(2), six = Error(6), ten = Error(10);
        Assert.True(two > six && six > ten && ten > Error(12), $"errors at 2, 6, 10: {two}, {six}, {ten}");
    }

    [Fact]
    public void A_recipe_without_text_or_without_the_newest_item_term_is_refused_with_the_reason()
    {
        var items = TinyTextModels.Items(new Random(4));
        var idOnly = Assert.Throws<ArgumentException>(() => ModelFactory.Create(ModelCatalogue.Find("sasrec") with { TextColumns = 4 }, items));
        Assert.Contains("text recipe", idOnly.Message, StringComparison.Ordinal);
        var noTerm = Assert.Throws<ArgumentException>(() => ModelFactory.Create(ModelCatalogue.Find("sasrec-text") with { TextColumns = 4, NewestItem = false }, items));
        Assert.Contains("newest-item term", noTerm.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelFactory.Create(ModelCatalogue.Find("sasrec-text") with { TextColumns = TinyTextModels.TextDimension + 1 }, items));
    }

    [Theory]
    [InlineData("sasrec-text")]
    [InlineData("gru-text")]
    public void The_user_vector_carries_the_newest_items_columns_and_both_graphs_agree_with_torch(string recipe)
    {
        const int rank = 6;
        var random = new Random(4);
        var items = TinyTextModels.Items(random);
        var sequences = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 8).Select(_ => random.Next(1, 25)).ToArray()).ToList();
        var data = new InteractionData("tiny", sequences.Select((_, u) => $"u{u}").ToList(), sequences, items);
        using var model = TinyTextModels.Trained(recipe, data, seed: 29, config => config with { TextColumns = rank });
        model.eval();
        int d = model.Config.Dimension, width = model.RowWidth;
        Assert.Equal(d + rank, width);
        float[] table = Floats(model.ItemTable()), beta = Floats(model.Newest!);
        Assert.Equal(model.TableSize * width, table.Length);
        Assert.True(beta.Skip(d).Max(Math.Abs) > 1e-4, "training left β of the columns at zero; the test would test nothing");

        var histories = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, random.Next(1, 9))
            .Select(_ => random.Next(1, data.Items.Count + 1)).ToArray()).ToList();
        var expected = OnnxExportTests.TorchReference(model, histories, excludeSeen: true);
        Assert.True(Floats(model.TextTaste!.weight!).Max(Math.Abs) > 1e-4, "training left the taste map at zero; the test would test nothing");
        float[] withoutTerm;
        using (no_grad())
        {
            // The encoder's state h and its taste map W h: the user vector with β and the boost at zero.
            var saved = model.Newest!.clone();
            double boost = model.NewestBoost;
            model.Newest!.zero_();
            model.NewestBoost = 0;
            withoutTerm = OnnxExportTests.TorchReference(model, histories, excludeSeen: true).UserVector;
            model.Newest!.copy_(saved);
            model.NewestBoost = boost;
        }
        for (int b = 0; b < histories.Count; b++)
        {
            // Every column, the text ones included: the state's part plus (β + boost) ⊙ the newest item's row there.
            int newest = histories[b][^1];
            for (int j = 0; j < width; j++)
            {
                double term = (beta[j] + model.NewestBoost) * table[newest * width + j];
                Assert.True(Math.Abs(withoutTerm[b * width + j] + term - expected.UserVector[b * width + j]) < Agreement, $"row {b}, column {j}");
            }
        }

        var full = OnnxExportTests.RunOnnx(OnnxExporter.Export(model), histories, excludeSeen: true, k: 10);
        Assert.Equal(expected.Ids, full.Ids);
        Assert.All(expected.Scores.Zip(full.Scores), p => Assert.True(Math.Abs(p.First - p.Second) < Agreement, $"{p.First} vs {p.Second}"));
        var compact = NewestItemTests.CompactUserVectors(OnnxExporter.Export(model, userVectorOnly: true), histories, table, width);
        Assert.All(expected.UserVector.Zip(compact), p => Assert.True(Math.Abs(p.First - p.Second) < Agreement, $"{p.First} vs {p.Second}"));
    }
}
