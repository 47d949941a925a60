using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Bundles;

/// <summary>
/// The projector saved beside a trained version places an item the way the model's own item table places an item with
/// no ID part: for a text recipe its trained adaptor on the text vector, for an ID-only recipe its genre projection.
/// </summary>
public sealed class NewItemProjectorTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "odr-projector-" + Guid.NewGuid().ToString("N") + ".bin");

    public void Dispose() => File.Delete(_path);

    /// <summary>12 items in two genres with random 16-d "sentence" vectors; users play items 1–10 only, so 11 and 12 have no ID part.</summary>
    private static InteractionData Data()
    {
        var items = new ItemVocabulary();
        for (int i = 1; i <= 12; i++)
        {
            items.Add($"item-{i}", $"Item {i}", [i % 2 == 0 ? "Even" : "Odd", "All"]);
        }
        var random = new Random(3);
        var vectors = new float[items.TableSize * 16];
        for (int i = 16; i < vectors.Length; i++)
        {
            vectors[i] = (float)(random.NextDouble() * 2 - 1);
        }
        items.AttachTextVectors(vectors, 16);
        var sequences = Enumerable.Range(0, 30).Select(u => Enumerable.Range(0, 6).Select(k => 1 + (u + 2 * k) % 10).ToArray()).ToList();
        return new InteractionData("tiny", sequences.Select((_, u) => $"u{u}").ToList(), sequences, items);
    }

    private static float[] TableRows(SequenceModel model, params int[] indices)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var table = model.ItemTable();
        return indices.SelectMany(i => table[i].data<float>().ToArray()).ToArray();
    }

    [Theory]
    [InlineData("sasrec-text")]
    [InlineData("gru-text")]
    public void A_text_recipes_projector_gives_an_unplayed_item_its_row_in_the_model_after_a_save_and_load(string recipe)
    {
        TorchRuntime.Configure(1, 11);
        var data = Data();
        using var model = ModelFactory.Create(ModelCatalogue.Find(recipe) with { Dimension = 8, Blocks = 1, MaxLength = 6, BatchSize = 8 }, data.Items);
        new SequenceTrainer(model, seed: 11).Train(data.Sequences, validate: null, epochs: 3);
        NewItemProjector.From(model, data.Items).Save(_path);
        var projector = NewItemProjector.Load(_path);
        Assert.True(projector.HasText);
        Assert.False(projector.HasContent); // text recipes leave the genre projection out

        var inputs = new[] { 11, 12 }.Select(i => new NewItemInput(data.Items.TextVectors!.AsSpan(i * 16, 16).ToArray(), ["Odd"])).ToList();
        float[] expected = TableRows(model, 11, 12), rows = projector.Rows(inputs);
        Assert.Equal(expected.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(expected[i], rows[i], 4);
        }
        // A played item's row holds its ID offset as well: the projector alone does not reproduce it.
        float[] played = TableRows(model, 1);
        var text = projector.Rows([new NewItemInput(data.Items.TextVectors!.AsSpan(16, 16).ToArray(), [])]);
        Assert.True(played.Zip(text).Max(p => Math.Abs(p.First - p.Second)) > 1e-4);
    }

    [Fact]
    public void An_id_only_recipes_projector_places_an_item_by_its_categories_and_ignores_unknown_ones()
    {
        TorchRuntime.Configure(1, 11);
        var data = Data();
        using var model = ModelFactory.Create(ModelCatalogue.Find("sasrec") with { Dimension = 8, Blocks = 1, MaxLength = 6, BatchSize = 8 }, data.Items);
        new SequenceTrainer(model, seed: 11).Train(data.Sequences, validate: null, epochs: 2);
        var projector = NewItemProjector.From(model, data.Items);
        Assert.False(projector.HasText);
        Assert.True(projector.HasContent);

        // Item 12 (Even, All): its table row is its ID row plus the genre projection.
        float[] row = TableRows(model, 12);
        float[] id;
        using (no_grad())
        {
            id = model.ItemEmbedding.weight![12].data<float>().ToArray();
        }
        float[] placed = projector.Rows([new NewItemInput(null, ["Even", "All"])]);
        for (int o = 0; o < 8; o++)
        {
            Assert.Equal(row[o] - id[o], placed[o], 4);
        }
        Assert.All(projector.Rows([new NewItemInput(null, ["Never seen"])]), v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_file_that_is_not_a_projector_is_refused()
    {
        File.WriteAllBytes(_path, "ODRPRJ1\n"u8.ToArray()[..5]);
        Assert.Throws<InvalidDataException>(() => NewItemProjector.Load(_path));
    }
}
