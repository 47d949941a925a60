using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Tests.Models;

/// <summary>The rule that fits a recipe to the catalogue's size, and the user's explicit choices it leaves alone.</summary>
public sealed class CatalogueRecipeTests
{
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
            var decision = CatalogueRecipe.Choose(ModelCatalogue.Find(name), items);
            Assert.Equal(expected, decision.Config.Loss);
            Assert.Equal(name, decision.Config.Name);
            Assert.StartsWith($"{name} → ", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_reason_names_the_recipe_the_size_and_the_crossover()
    {
        var sampled = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), 23_715);
        Assert.Equal("sasrec → sampled softmax, 4,096 negatives: 23,715 items > crossover 15,000", sampled.Reason);
        var full = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), 9_066);
        Assert.Equal("sasrec → full softmax: 9,066 items ≤ crossover 15,000", full.Reason);
    }

    [Fact]
    public void Below_the_crossover_every_default_recipe_is_exactly_as_before()
    {
        foreach (var config in ModelConfig.Catalogue)
        {
            Assert.Same(config, CatalogueRecipe.Choose(config, 9_066).Config);
        }
    }

    [Fact]
    public void Explicit_choices_are_respected()
    {
        // A recipe named with its loss stays as named, at any size.
        var sampled = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec-sampled"), 500);
        Assert.Equal(LossKind.SampledSoftmax, sampled.Config.Loss);
        Assert.EndsWith(": named", sampled.Reason, StringComparison.Ordinal);
        Assert.Equal(LossKind.BceOneNegative, CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec-bce"), 1_000_000).Config.Loss);
        // --negatives is kept when the rule switches to sampled softmax.
        var negatives = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec") with { Negatives = 1024 }, 50_000);
        Assert.Equal(1024, negatives.Config.Negatives);
        Assert.Contains("1,024 negatives", negatives.Reason, StringComparison.Ordinal);
        // --softmax full / sampled override the size.
        var full = CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), 1_000_000, SoftmaxChoice.Full);
        Assert.Equal(LossKind.FullSoftmax, full.Config.Loss);
        Assert.EndsWith("asked for", full.Reason, StringComparison.Ordinal);
        Assert.Equal(LossKind.SampledSoftmax, CatalogueRecipe.Choose(ModelCatalogue.Find("sasrec"), 100, SoftmaxChoice.Sampled).Config.Loss);
    }

    [Fact]
    public void Softmax_names_parse_and_others_are_refused()
    {
        Assert.Equal(SoftmaxChoice.Auto, CatalogueRecipe.ParseSoftmax("auto"));
        Assert.Equal(SoftmaxChoice.Full, CatalogueRecipe.ParseSoftmax("full"));
        Assert.Equal(SoftmaxChoice.Sampled, CatalogueRecipe.ParseSoftmax("sampled"));
        Assert.Throws<ArgumentException>(() => CatalogueRecipe.ParseSoftmax("Full"));
    }
}
