using OnDeviceReco.Trainer.Synthetic;

namespace OnDeviceReco.Trainer.Tests.Synthetic;

/// <summary>The generated log follows its shape: successors when told to follow, the popularity head when told to jump.</summary>
public sealed class ClusteredCatalogueTests
{
    [Fact]
    public void Always_following_visits_only_each_items_successors()
    {
        var shape = new CatalogueShape(ClusterSize: 50, Successors: 2, Follow: 1, Jump: 0, Noise: 0);
        var log = ClusteredCatalogue.Generate(users: 300, items: 500, meanLength: 8, shape, seed: 3).ToList();
        var nextItems = log.Zip(log.Skip(1)).Where(p => p.First.User == p.Second.User)
            .GroupBy(p => p.First.Item, p => p.Second.Item);
        Assert.All(nextItems, g => Assert.InRange(g.Distinct().Count(), 1, 2));
    }

    [Fact]
    public void A_steeper_skew_puts_more_of_the_jumps_on_the_head()
    {
        double HeadShare(double skew)
        {
            var shape = new CatalogueShape(Follow: 0, Jump: 1, Noise: 0, PopularitySkew: skew);
            var counts = ClusteredCatalogue.Generate(users: 2_000, items: 5_000, meanLength: 8, shape, seed: 5)
                .GroupBy(i => i.Item).Select(g => g.Count()).OrderDescending().ToList();
            return counts.Take(50).Sum() / (double)counts.Sum();
        }
        Assert.True(HeadShare(3) > HeadShare(2) * 1.5, $"top-50 share {HeadShare(3):0.000} at skew 3 vs {HeadShare(2):0.000} at 2");
    }

    [Fact]
    public void The_same_seed_gives_the_same_log()
    {
        var a = ClusteredCatalogue.Generate(users: 100, items: 1_000, shape: CatalogueShape.Hard, seed: 9).ToList();
        var b = ClusteredCatalogue.Generate(users: 100, items: 1_000, shape: CatalogueShape.Hard, seed: 9).ToList();
        var c = ClusteredCatalogue.Generate(users: 100, items: 1_000, shape: CatalogueShape.Hard, seed: 10).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Probabilities_above_one_in_all_are_refused()
    {
        var shape = new CatalogueShape(Follow: 0.6, Jump: 0.3, Noise: 0.2);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusteredCatalogue.Generate(users: 1, items: 10, shape: shape).ToList());
    }
}
