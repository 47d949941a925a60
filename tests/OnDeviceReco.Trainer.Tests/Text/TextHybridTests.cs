using System.Security.Cryptography;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Text;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Text;

/// <summary>
/// The text hybrid (item = adaptor(text) + ID offset) on real sentence vectors: it trains, places items no one has
/// played by their text, exports a graph that agrees with TorchSharp, and writes a signed compact bundle.
/// </summary>
public sealed class TextHybridTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-text-hybrid", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static readonly (string Category, string[] Titles)[] Themes =
    [
        ("Racing", ["Turbo Street Racing", "Drift Kings", "Rally Championship", "Formula Speed", "Kart Racers", "Highway Pursuit", "Motocross Madness", "Desert Rally"]),
        ("Puzzle", ["Block Puzzle", "Word Search Deluxe", "Sudoku Master", "Jigsaw Journeys", "Match Three Gems", "Crossword Classic", "Tile Slide Puzzle", "Logic Grid Puzzles"]),
        ("Horror", ["Haunted Mansion", "Zombie Outbreak", "Silent Asylum", "Ghost Whispers", "The Cursed Forest", "Vampire Night", "Nightmare Hospital", "Demon Crypt"]),
    ];

    /// <summary>90 users, each playing the 8 games of one theme in a random order; two games nobody has played yet.</summary>
    private InteractionData ThemedData()
    {
        var items = new ItemVocabulary();
        foreach (var (category, titles) in Themes)
        {
            foreach (string title in titles)
            {
                items.Add(title, title, [category]);
            }
        }
        items.Add("new-racing", "Neon Drift Racing", ["Racing"]);
        items.Add("new-puzzle", "Crossword Puzzle Marathon", ["Puzzle"]);
        ItemTextVectors.Attach(items, fixture.Encoder, new TextVectorCache(Path.Combine(_dir, "cache.bin")));
        var random = new Random(5);
        var users = new List<string>();
        var sequences = new List<int[]>();
        for (int u = 0; u < 90; u++)
        {
            var titles = Themes[u % Themes.Length].Titles.ToArray();
            random.Shuffle(titles);
            users.Add($"u{u}");
            sequences.Add(titles.Select(t => { items.TryGetIndex(t, out int i); return i; }).ToArray());
        }
        return new InteractionData("themes", users, sequences, items);
    }

    private static ModelConfig Config(string name) => ModelCatalogue.Find(name) with
    {
        Dimension = 32, Blocks = 1, Heads = 1, MaxLength = 20, BatchSize = 16, LearningRate = 5e-3, Dropout = 0.1,
    };

    private static int Index(InteractionData data, string id) => data.Items.TryGetIndex(id, out int i) ? i : throw new KeyNotFoundException(id);

    [Theory]
    [InlineData("sasrec-text", 0)]
    [InlineData("gru-text", 0)]
    [InlineData("sasrec-text", 24)]
    [InlineData("gru-text", 24)]
    public void A_new_item_is_ranked_by_its_text_and_the_export_agrees_with_torch(string recipe, int textColumns)
    {
        TorchRuntime.Configure(1, 77);
        manual_seed(77);
        var data = ThemedData();
        using var model = ModelFactory.Create(Config(recipe) with { TextColumns = textColumns }, data.Items);
        new SequenceTrainer(model, seed: 77).Train(data.Sequences, validate: null, epochs: 25);

        int newRacing = Index(data, "new-racing"), newPuzzle = Index(data, "new-puzzle");
        using (NewDisposeScope())
        using (no_grad())
        {
            // No one played them: their rows are exactly the adaptor applied to their text, text columns included (what a
            // catalogue update ships).
            var table = model.ItemTable().contiguous().data<float>().ToArray();
            int d = model.RowWidth;
            Assert.Equal(model.Config.Dimension + textColumns, d);
            var projected = model.NewItemRows(data.Items.TextVectors!.AsSpan(newRacing * 384, 384).ToArray());
            Assert.Equal(d, projected.Length);
            for (int j = 0; j < d; j++)
            {
                Assert.Equal(projected[j], table[newRacing * d + j], 1e-4f);
            }
        }
        float[] Scores(string theme)
        {
            var history = Themes.Single(t => t.Category == theme).Titles.Take(5).Select(t => Index(data, t)).ToArray();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            model.eval();
            return model.ScoreLast(tensor(Histories.LeftPad([history], model.Config.MaxLength), [1, model.Config.MaxLength]))
                .contiguous().data<float>().ToArray();
        }
        var racingUser = Scores("Racing");
        var puzzleUser = Scores("Puzzle");
        Assert.True(racingUser[newRacing] > racingUser[newPuzzle], $"racing player: new racing {racingUser[newRacing]}, new puzzle {racingUser[newPuzzle]}");
        Assert.True(puzzleUser[newPuzzle] > puzzleUser[newRacing], $"puzzle player: new puzzle {puzzleUser[newPuzzle]}, new racing {puzzleUser[newRacing]}");

        // The exported graph holds the final item table (text folded in): same top-10 and scores as TorchSharp.
        var random = new Random(3);
        // At most 7 items seen of 26, so ten unseen items remain and no top-10 place is an excluded (−∞) tie.
        var histories = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, random.Next(1, 8))
            .Select(_ => random.Next(1, data.Items.Count + 1)).ToArray()).ToList();
        var bytes = OnnxExporter.Export(model);
        var expected = OnnxExportTests.TorchReference(model, histories, excludeSeen: true);
        var actual = OnnxExportTests.RunOnnx(bytes, histories, excludeSeen: true, k: 10);
        Assert.Equal(expected.Ids, actual.Ids);
        for (int i = 0; i < expected.Scores.Length; i++)
        {
            // Relative to the score: float32 keeps about 7 digits, and the text columns let scores grow into the hundreds.
            float tolerance = 1e-4f * Math.Max(1, Math.Abs(expected.Scores[i]));
            Assert.True(Math.Abs(expected.Scores[i] - actual.Scores[i]) <= tolerance, $"score {i}: {expected.Scores[i]} vs {actual.Scores[i]}");
        }

        // A signed compact bundle, as the server ships it, verifies.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string bundle = Path.Combine(_dir, $"bundle-{recipe}-{textColumns}");
        ModelBundleWriter.Write(bundle, model, data, 1, new Dictionary<string, double>(), key, DateTimeOffset.UnixEpoch);
        var verified = new OnDeviceReco.Protocol.BundleVerifier([key]).Verify(bundle);
        Assert.Equal(data.Items.Count, verified.Manifest.Items.Count);
        Assert.True(verified.Files.ContainsKey(OnDeviceReco.Protocol.BundleFileNames.CompactItemTable));
        Assert.Equal(model.RowWidth, verified.Manifest.EmbeddingDimension);
    }

    [Fact]
    public void With_every_id_dropped_only_the_text_path_learns()
    {
        TorchRuntime.Configure(1, 78);
        var data = ThemedData();
        using var model = ModelFactory.Create(Config("sasrec-text") with { IdDrop = 1.0 }, data.Items);
        var adaptorBefore = model.Text!.Adaptor.weight!.clone();
        new SequenceTrainer(model, seed: 78).Train(data.Sequences, validate: null, epochs: 2);
        Assert.Equal(0f, model.ItemEmbedding.weight!.abs().max().item<float>());
        Assert.True(model.Text.Adaptor.weight!.sub(adaptorBefore).abs().max().item<float>() > 0);
    }

    [Fact]
    public void A_text_recipe_without_text_vectors_is_refused_with_the_reason()
    {
        var items = new ItemVocabulary();
        items.Add("a", "A", ["G"]);
        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Create(Config("sasrec-text"), items));
        Assert.Contains("text vectors", error.Message, StringComparison.Ordinal);
    }
}
