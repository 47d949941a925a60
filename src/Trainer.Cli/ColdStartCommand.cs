using System.Globalization;
using System.Text.Json;
using OnDeviceReco.Protocol.Cohorts;
using OnDeviceReco.Trainer.Cohorts;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Synthetic;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// cold-start [--users N] [--items N] [--segments N] [--strength F] [--seed N] [--runs N]
/// Measures the cold-start fallback on a SYNTHETIC world whose attribute truly matters (<see cref="AttributeWorld"/>):
/// 80 % of users train the cohort table (<see cref="CohortPopularityBuilder"/>, default bounds) and global popularity;
/// the other 20 % are newcomers with no history, and HR@10 is whether their first item is in the top 10 of: global
/// popularity; the cohort blend of their attributes (the device's rule, <see cref="CohortTable.Blend"/>, global
/// popularity filling what it leaves); the same with searches; the same with only the uninformative attribute.
/// One JSON line per run and one with mean and standard deviation over runs (seeds seed..seed+runs-1).
/// </summary>
public static class ColdStartCommand
{
    private static readonly HashSet<string> Options = ["--users", "--items", "--segments", "--strength", "--seed", "--runs"];

    public static int Run(string[] args)
    {
        var line = new CommandLine(args, Options);
        int users = line.Int("--users", 10_000, 100, 10_000_000);
        int items = line.Int("--items", 2_000, 20, 1_000_000);
        int segments = line.Int("--segments", 8, 1, 1_000);
        int seed = line.Int("--seed", 42, 0, int.MaxValue);
        int runs = line.Int("--runs", 5, 1, 100);
        double strength = double.TryParse(line.Optional("--strength") ?? "0.5", NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s is >= 0 and <= 1
            ? s : throw new UsageException("Option '--strength' must be a number from 0 to 1.");
        var results = Enumerable.Range(seed, runs).Select(run => Measure(new AttributeWorld(users, items, segments, 20, strength, run), items)).ToList();
        foreach (var (result, run) in results.Select((r, i) => (r, seed + i)))
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["data"] = "synthetic", ["seed"] = run, ["newcomers"] = result.Newcomers,
                ["popularity_cold_hr@10"] = Round(result.Popularity), ["attribute_cold_hr@10"] = Round(result.Attributes),
                ["attribute_search_cold_hr@10"] = Round(result.AttributesAndSearches), ["uninformative_attribute_cold_hr@10"] = Round(result.Uninformative) }));
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["data"] = "synthetic", ["runs"] = runs, ["users"] = users, ["items"] = items, ["segments"] = segments, ["strength"] = strength,
            ["popularity_cold_hr@10"] = Summary(results.Select(r => r.Popularity)),
            ["attribute_cold_hr@10"] = Summary(results.Select(r => r.Attributes)),
            ["attribute_search_cold_hr@10"] = Summary(results.Select(r => r.AttributesAndSearches)),
            ["uninformative_attribute_cold_hr@10"] = Summary(results.Select(r => r.Uninformative)),
        }));
        return 0;
    }

    private sealed record Outcome(int Newcomers, double Popularity, double Attributes, double AttributesAndSearches, double Uninformative);

    private static Outcome Measure(AttributeWorld world, int items)
    {
        int trainCount = world.Users.Count * 4 / 5;
        var train = world.Users.Take(trainCount).ToList();
        var newcomers = world.Users.Skip(trainCount).ToList();
        var sequences = train.Select(u => u.Items).ToList();
        var table = CohortPopularityBuilder.Build(sequences, AttributeWorld.ItemId, train.Select(u => (IReadOnlyCollection<string>)Labels(u, searches: true)).ToList());
        var counts = PopularityScorer.UserCounts(sequences, items + 1);
        var global = Enumerable.Range(1, items).Where(i => counts[i] > 0).OrderByDescending(i => counts[i]).ThenBy(i => i)
            .Take(10).Select(AttributeWorld.ItemId).ToList();
        double Rate(Func<AttributeWorld.User, IReadOnlyList<string>> top) =>
            newcomers.Count(u => top(u).Contains(AttributeWorld.ItemId(u.Items[0]))) / (double)newcomers.Count;
        IReadOnlyList<string> Blend(IEnumerable<string> labels) =>
            table.Blend(labels, 10).Select(b => b.ItemId).Concat(global).Distinct().Take(10).ToList();
        return new Outcome(newcomers.Count,
            Rate(_ => global),
            Rate(u => Blend(Labels(u, searches: false))),
            Rate(u => Blend(Labels(u, searches: true))),
            Rate(u => Blend([CohortTable.AttributeLabel("platform", $"p{u.Platform}")])));
    }

    private static List<string> Labels(AttributeWorld.User user, bool searches)
    {
        var labels = new List<string>
        {
            CohortTable.AttributeLabel("segment", $"s{user.Segment}"),
            CohortTable.AttributeLabel("platform", $"p{user.Platform}"),
        };
        if (searches && user.Searched)
        {
            labels.Add(CohortTable.SearchLabel($"genre-{user.Segment}"));
        }
        return labels;
    }

    private static double Round(double value) => Math.Round(value, 4);

    private static Dictionary<string, double> Summary(IEnumerable<double> values)
    {
        var list = values.ToList();
        double mean = list.Average();
        double sd = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return new Dictionary<string, double> { ["mean"] = Round(mean), ["sd"] = Round(sd) };
    }
}
