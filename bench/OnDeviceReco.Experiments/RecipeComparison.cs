using System.Globalization;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Sqlite;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using ReplayMovieLens;

namespace OnDeviceReco.Experiments;

/// <summary>
/// Do impressions, or a refit on the newest events, help? (<c>compare-kept DIR --seeds SEEDS</c>.) From the
/// synced data a kept loop run's server retrained on, trains per seed: the serving recipe as the server does (each user's two
/// newest events held out for stopping and the gate), the same with the items each user was shown and never took as
/// extra negatives, and the freshest model (the first refitted on everything for its chosen number of epochs). Each
/// is scored on the loop's held-out newest ratings, which no device ever synced: full ranking over each device's
/// synced history with its items excluded, as the device does. Same seeds throughout, so differences are paired.
/// </summary>
internal static class RecipeComparison
{
    private const string Baseline = "server recipe";
    private const string WithImpressions = "with impressions as negatives";
    private const string Refitted = "refitted on everything";

    public static IReadOnlyList<int> Seeds(string list) => list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();

    /// <param name="userNames">Stored user name → MovieLens user id (<see cref="KeptUserNames"/>).</param>
    public static void Run(string storePath, IReadOnlyDictionary<string, string> userNames, string catalogueDirectory, IReadOnlyList<UserHistory> users,
        int maxEpochs, IReadOnlyList<int> seeds)
    {
        InteractionData data;
        using (var store = new SqliteFeedbackStore(storePath))
        {
            data = new FeedbackInteractionSource(store, catalogueDirectory, collectShown: true).Load();
        }
        var targets = users.ToDictionary(u => u.UserId, u => u.Target.MovieId);
        var cases = new List<(int[] History, int Target)>();
        // The loop never syncs the held-out rating, so when it was among the items shown in phase B it looks passed
        // over, and impressions as negatives push the very target down: these cases are also scored apart.
        var targetNotShown = new List<(int[] History, int Target)>();
        for (int k = 0; k < data.Sequences.Count; k++)
        {
            if (userNames.TryGetValue(FeedbackUserKey.UserIdOf(data.UserIds[k]), out var userId) && targets.TryGetValue(userId, out var target) && data.Items.TryGetIndex(target, out int index))
            {
                cases.Add((data.Sequences[k], index));
                if (!data.Shown![k].Any(s => s.Item == index))
                {
                    targetNotShown.Add((data.Sequences[k], index));
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Recipes — {data.Sequences.Count} synced users, {data.InteractionCount:N0} interactions, {data.Shown!.Sum(s => s.Length):N0} items shown and never taken; "
            + $"seeds {string.Join(", ", seeds)}, judged on {cases.Count} held-out newest ratings (from {storePath}).");
        var results = new Dictionary<string, List<double>> { [Baseline] = [], [WithImpressions] = [], [Refitted] = [] };
        var evaluator = new RankingEvaluator(data.Items, data.Sequences);
        void Score(string name, int seed, SequenceModel model, string detail)
        {
            var metrics = evaluator.Evaluate(new ModelScorer(model), cases, seed, beyondAccuracy: false);
            var notShown = evaluator.Evaluate(new ModelScorer(model), targetNotShown, seed, beyondAccuracy: false);
            results[name].Add(metrics.Ndcg10);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  seed {seed}, {name}: NDCG@10 {metrics.Ndcg10:0.0000}, HR@10 {metrics.HitRate10:0.0000}; on the {targetNotShown.Count} targets never shown NDCG@10 {notShown.Ndcg10:0.0000} ({detail})"));
        }
        var recipe = ModelCatalogue.Find("sasrec") with { MaxEpochs = maxEpochs };
        foreach (int seed in seeds)
        {
            TorchRuntime.Configure(threads: 2, seed);
            var baseline = HoldoutTraining.Train(data, recipe, seed);
            using (baseline.Model)
            {
                Score(Baseline, seed, baseline.Model, $"best epoch {baseline.Training.BestEpoch}, {baseline.Training.SecondsPerEpoch:0.0} s/epoch");
            }
            TorchRuntime.Configure(threads: 2, seed);
            using (var refitted = HoldoutTraining.Refit(data, recipe, baseline.Training.BestEpoch, seed))
            {
                Score(Refitted, seed, refitted, $"{baseline.Training.BestEpoch} epochs on everything");
            }
            TorchRuntime.Configure(threads: 2, seed);
            var shown = HoldoutTraining.Train(data, recipe with { ShownNegativeWeight = 1 }, seed);
            using (shown.Model)
            {
                Score(WithImpressions, seed, shown.Model, $"best epoch {shown.Training.BestEpoch}, {shown.Training.SecondsPerEpoch:0.0} s/epoch");
            }
        }
        foreach (var (name, values) in results)
        {
            var differences = values.Zip(results[Baseline], (a, b) => a - b).ToList();
            string paired = name == Baseline ? "" : string.Create(CultureInfo.InvariantCulture,
                $"; paired difference from the server's recipe: mean {differences.Average():+0.0000;-0.0000}, sd {StandardDeviation(differences):0.0000}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: NDCG@10 mean {values.Average():0.0000}, sd {StandardDeviation(values):0.0000}{paired}"));
        }
    }

    private static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
