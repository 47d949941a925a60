using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Tests.Models;

/// <summary>The rule that fits a recipe to the catalogue's size and histories, and the user's explicit choices it leaves alone.</summary>
public sealed class CatalogueRecipeTests
{
    /// <summary>Histories as long as movielens-small's (95 % of its users have up to 519 ratings).</summary>
    private static CatalogueShape LongHistories(int items) => new(items, 519);

    [Theory]
    [InlineData(9_066, LossKind.FullSoftmax)] // movielens-small
    [InlineData(CatalogueRecipe.CrossoverItems - 1, LossKind.FullSoftmax)]
    [InlineData(CatalogueRecipe.CrossoverItems, LossKind.FullSoftmax)]
    [InlineData(CatalogueRecipe.CrossoverItems + 1, LossKind.SampledSoftmax)]
    [InlineData(23_715, LossKind.SampledSoftmax)] // Amazon Video Games
    [InlineData(1_000_000, LossKind.SampledSoftmax)]
    public void Full_softmax_recipes_switch_to_sampled_above_the_crossover(int items, LossKind expected)
    {
        foreach (var name in new[] { "sasrec", "gru", "sasrec-shown" })
        {
            var decision = CatalogueRecipe.Choose(ModelCatalogue.Find(name), LongHistories(items));
            Assert.Equal(expected, decision.Config.Loss);
            Assert.Equal(name, decision.Config.Name);
            Assert.StartsWith($"{name} → ", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_reason_names_the_recipe_the_size_and_the_crossover()
    {
        var sampled = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), LongHistories(23_715));
        Assert.Equal("sasrec → sampled softmax, 4,096 negatives: 23,715 items > crossover 15,000; length 50: 95 % of users have ≤ 519 interactions", sampled.Reason);
        var full = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), LongHistories(9_066));
        Assert.Equal("sasrec → full softmax: 9,066 items ≤ crossover 15,000; length 50: 95 % of users have ≤ 519 interactions", full.Reason);
    }

    [Fact]
    public void Below_the_crossover_every_default_recipe_is_exactly_as_before()
    {
        foreach (var config in ModelConfig.Catalogue)
        {
            Assert.Same(config, CatalogueRecipe.Choose(config, LongHistories(9_066)).Config);
        }
    }

    [Fact]
    public void Explicit_choices_are_respected()
    {
        // A recipe named with its loss stays as named, at any size.
        var sampled = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec-sampled"), LongHistories(500));
        Assert.Equal(LossKind.SampledSoftmax, sampled.Config.Loss);
        Assert.Contains(": named;", sampled.Reason, StringComparison.Ordinal);
        Assert.Equal(LossKind.BceOneNegative, CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec-bce"), LongHistories(1_000_000)).Config.Loss);
        // --negatives is kept when the rule switches to sampled softmax.
        var negatives = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec") with { Negatives = 1024 }, LongHistories(50_000));
        Assert.Equal(1024, negatives.Config.Negatives);
        Assert.Contains("1,024 negatives", negatives.Reason, StringComparison.Ordinal);
        // --softmax full / sampled override the size.
        var full = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), LongHistories(1_000_000), SoftmaxChoice.Full);
        Assert.Equal(LossKind.FullSoftmax, full.Config.Loss);
        Assert.Contains(": asked for;", full.Reason, StringComparison.Ordinal);
        Assert.Equal(LossKind.SampledSoftmax, CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), LongHistories(100), SoftmaxChoice.Sampled).Config.Loss);
    }

    [Fact]
    public void Softmax_names_parse_and_others_are_refused()
    {
        Assert.Equal(SoftmaxChoice.Auto, CatalogueRecipe.ParseSoftmax("auto"));
        Assert.Equal(SoftmaxChoice.Full, CatalogueRecipe.ParseSoftmax("full"));
        Assert.Equal(SoftmaxChoice.Sampled, CatalogueRecipe.ParseSoftmax("sampled"));
        Assert.Throws<ArgumentException>(() => CatalogueRecipe.ParseSoftmax("Full"));
    }

    [Fact]
    public void Short_histories_get_a_length_that_fits_them_and_a_batch_with_as_many_positions()
    {
        // Amazon Video Games' shape: 95 % of users have at most 19 interactions, so at most 18 inputs.
        var games = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), new CatalogueShape(23_715, 19));
        Assert.Equal(20, games.Config.MaxLength);
        Assert.Equal(64, games.Config.BatchSize);
        Assert.Equal(LossKind.SampledSoftmax, games.Config.Loss);
        Assert.EndsWith("; length 20 (of 50), batch 64 (of 32): 95 % of users have ≤ 19 interactions", games.Reason, StringComparison.Ordinal);
        // Rounded up to a step of 10, at least 10, never above the recipe's own length.
        var tiny = CatalogueRecipe.Choose(ModelCatalogue.Find("gru"), new CatalogueShape(100, 3)).Config;
        Assert.Equal(10, tiny.MaxLength);
        Assert.Equal(32 * CatalogueRecipe.MaxBatchGrowth, tiny.BatchSize); // not five times: the batch grows at most twice
        Assert.Equal(10, CatalogueRecipe.Choose(ModelCatalogue.Find("gru"), new CatalogueShape(100, 11)).Config.MaxLength);
        Assert.Equal(20, CatalogueRecipe.Choose(ModelCatalogue.Find("gru"), new CatalogueShape(100, 12)).Config.MaxLength);
        var justShort = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), new CatalogueShape(100, 50));
        Assert.Equal(50, justShort.Config.MaxLength);
        Assert.Equal(32, justShort.Config.BatchSize);
        Assert.Equal(50, CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), new CatalogueShape(100, 51)).Config.MaxLength);
    }

    [Fact]
    public void An_asked_length_is_kept()
    {
        var asked = ModelCatalogue.Find("sasrec") with { MaxLength = 50, BatchSize = 16 };
        var decision = CatalogueRecipe.Choose(asked, new CatalogueShape(23_715, 9), lengthAsked: true);
        Assert.Equal(50, decision.Config.MaxLength);
        Assert.Equal(16, decision.Config.BatchSize);
        Assert.EndsWith("; length 50, batch 16: asked for", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shape_is_the_95th_percentile_of_history_lengths()
    {
        // 100 users with 1..100 interactions: 95 of them have at most 95.
        var sequences = Enumerable.Range(1, 100).Select(n => new int[n]).ToList();
        Assert.Equal(new CatalogueShape(7, 95), CatalogueShape.Of(7, sequences));
        Assert.Equal(new CatalogueShape(7, 4), CatalogueShape.Of(7, [new int[4]]));
        Assert.Equal(0, CatalogueShape.Of(7, []).HistoryLength);
    }
}
