using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>
/// Items launched after the training data: a text hybrid must rank them by what their text says, not bury them because
/// no one could have chosen them yet. The items' text vectors are built by hand so the test controls what the text
/// shares: each theme has a direction, and every launched item also carries a "launch" direction (as new films share
/// their year in the title) that no trained item has.
/// </summary>
public sealed class NegativePoolTests
{
    private const int Themes = 4, TrainedPerTheme = 10, LaunchedPerTheme = 5, Dimension = 8, LaunchFeature = Themes;

    /// <summary>120 users, each taking 8 of one theme's trained items in a random order, one day apart per user.</summary>
    private static InteractionData LaunchData()
    {
        var items = new ItemVocabulary();
        var random = new Random(11);
        var vectors = new List<float[]> { new float[Dimension] };
        void Add(string id, int theme, bool launched)
        {
            items.Add(id, id, [$"t{theme}"]);
            var v = new float[Dimension];
            v[theme] = 1;
            v[LaunchFeature] = launched ? 1 : 0;
            for (int d = Themes + 1; d < Dimension; d++)
            {
                v[d] = (float)(random.NextDouble() - 0.5) * 0.6f;
            }
            vectors.Add(v);
        }
        for (int t = 0; t < Themes; t++)
        {
            for (int i = 0; i < TrainedPerTheme; i++)
            {
                Add($"t{t}-{i}", t, launched: false);
            }
        }
        for (int t = 0; t < Themes; t++)
        {
            for (int i = 0; i < LaunchedPerTheme; i++)
            {
                Add($"new-t{t}-{i}", t, launched: true);
            }
        }
        items.AttachTextVectors(vectors.SelectMany(v => v).ToArray(), Dimension);
        var users = new List<string>();
        var sequences = new List<int[]>();
        var times = new List<long[]>();
        for (int u = 0; u < 120; u++)
        {
            var ids = Enumerable.Range(0, TrainedPerTheme).Select(i => $"t{u % Themes}-{i}").ToArray();
            random.Shuffle(ids);
            users.Add($"u{u}");
            sequences.Add(ids.Take(8).Select(id => Index(items, id)).ToArray());
            times.Add(Enumerable.Range(0, 8).Select(i => (long)(u + i * 86_400)).ToArray());
        }
        return new InteractionData("launch", users, sequences, items, times: times);
    }

    private static int Index(ItemVocabulary items, string id) => items.TryGetIndex(id, out int i) ? i : throw new KeyNotFoundException(id);

    /// <summary>
    /// For a theme-0 user: the share of the other themes' items (trained and launched) that the launched theme-0 items
    /// all rank above — 1 when every new item of the user's theme beats every item of another theme.
    /// </summary>
    /// <param name="pool">Null for the recipe's own.</param>
    private static double NewItemsAboveOtherThemes(NegativePool? pool)
    {
        TorchRuntime.Configure(1, 21);
        manual_seed(21);
        var data = LaunchData();
        var recipe = ModelCatalogue.Find("sasrec-text");
        var config = recipe with
        {
            Dimension = 16, Blocks = 1, MaxLength = 10, BatchSize = 16, LearningRate = 5e-3, Dropout = 0.1, NegativePool = pool ?? recipe.NegativePool,
        };
        using var model = ModelFactory.Create(config, data.Items);
        new SequenceTrainer(model, seed: 21).Train(data.Sequences, validate: null, epochs: 40, times: data.Times);
        var history = Enumerable.Range(0, 5).Select(i => Index(data.Items, $"t0-{i}")).ToArray();
        float[] scores;
        using (NewDisposeScope())
        using (no_grad())
        {
            model.eval();
            scores = model.ScoreLast(tensor(Histories.LeftPad([history], config.MaxLength), [1, config.MaxLength])).contiguous().data<float>().ToArray();
        }
        float weakestNew = Enumerable.Range(0, LaunchedPerTheme).Min(i => scores[Index(data.Items, $"new-t0-{i}")]);
        var others = Enumerable.Range(1, data.Items.Count).Where(i => !data.Items.IdOf(i).Contains("t0-", StringComparison.Ordinal)).ToArray();
        return others.Count(i => scores[i] < weakestNew) / (double)others.Length;
    }

    [Theory]
    [InlineData(null)]
    [InlineData(NegativePool.Released)]
    public void Launched_items_rank_by_their_text_when_only_trained_items_are_negatives(NegativePool? pool)
    {
        double above = NewItemsAboveOtherThemes(pool);
        Assert.True(above >= 0.95, $"the new items of the user's theme beat {above:P0} of the other themes' items");
    }

    [Fact]
    public void An_item_is_out_from_its_first_interaction_and_never_seen_items_never()
    {
        var sequences = new List<int[]> { new[] { 1, 2 }, new[] { 3, 1 } };
        var times = new List<long[]> { new long[] { 10, 30 }, new long[] { 20, 40 } };
        var released = ItemAvailability.For(NegativePool.Released, sequences, times, tableSize: 5)!;
        Assert.Equal(new long[] { long.MaxValue, 1, 3, 2, long.MaxValue }, released.Rank); // item 4 never occurs; 0 is padding
        Assert.Equal(0, released.Threshold(9));
        Assert.Equal(1, released.Threshold(10));
        Assert.Equal(2, released.Threshold(29));
        Assert.Equal(3, released.Threshold(30));

        // Without times (the feedback store), every trained item is out everywhere.
        var trained = ItemAvailability.For(NegativePool.Released, sequences, times: null, tableSize: 5)!;
        Assert.False(trained.Timed);
        Assert.Equal(3, trained.Threshold(0));
        Assert.Equal(long.MaxValue, trained.Rank[4]);
        Assert.Null(ItemAvailability.For(NegativePool.Catalogue, sequences, times, tableSize: 5));
    }
}
