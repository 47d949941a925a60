using System.Text.Json;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation.TimeSplit;
using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Tests;

/// <summary>The time-split protocol on a hand-made log whose cutoff, windows and segments are known.</summary>
public sealed class TimeSplitTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-time-split", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>
    /// Before time 100: users u1..u25 play H at times 1..25 (H: 25 players, head), u1 and u2 play T at 26 and 27 (T: 2,
    /// tail). From 100: u1 plays N1 (new) at 100, u4 plays T at 101, u26 — a newcomer — plays H at 102 and N1 at 103,
    /// u3 plays T and N2 (new) in the same second 104. 33 interactions; quantile 0.84 puts the cutoff at the 28th time
    /// (100), and the validation cutoff at the 23rd of the 27 earlier ones (23).
    /// </summary>
    private static InteractionData Log()
    {
        var rows = new List<(string User, string Item, long Time)>();
        for (int u = 1; u <= 25; u++)
        {
            rows.Add(($"u{u}", "H", u));
        }
        rows.AddRange([("u1", "T", 26), ("u2", "T", 27), ("u1", "N1", 100), ("u4", "T", 101), ("u26", "H", 102), ("u26", "N1", 103), ("u3", "T", 104), ("u3", "N2", 104)]);
        var items = new ItemVocabulary();
        foreach (string id in new[] { "H", "T", "N1", "N2" })
        {
            items.Add(id, id, ["G"]);
        }
        var users = rows.Select(r => r.User).Distinct().ToList();
        var byUser = users.Select(u => rows.Where(r => r.User == u).OrderBy(r => r.Time).ToArray()).ToList();
        return new InteractionData("hand-made", users, byUser.Select(r => r.Select(x => items.Add(x.Item)).ToArray()).ToList(), items,
            times: byUser.Select(r => r.Select(x => x.Time).ToArray()).ToList());
    }

    [Fact]
    public void Cutoffs_windows_and_segments_are_counted_exactly()
    {
        var data = Log();
        var split = new TimeSplitData(data, quantile: 0.84);
        Assert.Equal(100, split.Cutoff);
        Assert.Equal(23, split.ValidationCutoff);
        Assert.Equal(22, split.TrainSequences.Sum(s => s.Length));
        Assert.Equal(27, split.BeforeCutoff.Sum(s => s.Length));
        Assert.Equal(5, split.Validation.Count); // H at 23, 24, 25; T at 26, 27
        Assert.Equal(6, split.Test.Count);
        int Count(Func<ReplayCase, bool> which) => split.Test.Count(which);
        Assert.Equal(3, Count(c => c.Segment == Segment.New));   // N1 ×2, N2
        Assert.Equal(2, Count(c => c.Segment == Segment.Tail));  // T by u4 and u3
        Assert.Equal(1, Count(c => c.Segment == Segment.Head));  // H by u26
        Assert.Equal(2, Count(c => c.NewUser));                  // u26's two
        // Each target is predicted from what came strictly before it: u3's same-second pair does not see each other.
        string Id(int i) => data.Items.IdOf(i);
        var u3 = split.Test.Where(c => data.UserIds[c.User] == "u3").ToList();
        Assert.All(u3, c => Assert.Equal(["H"], c.History.Select(Id)));
        var u26 = split.Test.Where(c => data.UserIds[c.User] == "u26").ToList();
        Assert.Equal([[], ["H"]], u26.Select(c => c.History.Select(Id).ToArray()));
        // Replayed in time order.
        Assert.Equal(["N1", "T", "H", "N1"], split.Test.Take(4).Select(c => Id(c.Target)));
    }

    [Fact]
    public void Popularity_is_scored_per_segment_with_user_intervals()
    {
        var split = new TimeSplitData(Log(), quantile: 0.84);
        var result = TimeSplitEvaluation.Run(split, [TimeSplitEvaluation.Popularity], [], seed: 1);
        var popularity = result.Models.Single();
        // Counts before the cutoff: H 25, T 2, N1 and N2 0. With ties counted half:
        // u1→N1 (H, T seen; N1 ties N2): rank 0.5; u26→N1 (H seen; T above, N2 tie): 1.5; u3→N2 (H seen; T above, N1 tie): 1.5.
        double expectedNew = (Ndcg(0.5) + 2 * Ndcg(1.5)) / 3;
        var newItems = popularity.Test.Metrics("new", result.Bootstrap);
        Assert.Equal(3, newItems.Targets);
        Assert.Equal(expectedNew, newItems.Ndcg10, 1e-12);
        Assert.Equal(1.0, newItems.Hr10);
        // u26→H with an empty history: H is first.
        var head = popularity.Test.Metrics("head", result.Bootstrap);
        Assert.Equal((1, 1.0), (head.Targets, head.Ndcg10));
        var all = popularity.Test.Metrics("all", result.Bootstrap);
        Assert.Equal(6, all.Targets);
        Assert.InRange(all.Ndcg10, all.Ndcg10Interval.Low, all.Ndcg10Interval.High);
        Assert.True(all.Ndcg10Interval.Low < all.Ndcg10Interval.High, "four users with different results give an interval of some width");

        string path = Path.Combine(_dir, "report.json");
        Directory.CreateDirectory(_dir);
        TimeSplitReportWriter.WriteJson(result, path);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var segments = json.RootElement.GetProperty("models")[0].GetProperty("segments");
        Assert.Equal(3, segments.GetProperty("new").GetProperty("targets").GetInt32());
        Assert.Equal(2, segments.GetProperty("tail").GetProperty("targets").GetInt32());
        Assert.Equal(1, segments.GetProperty("head").GetProperty("targets").GetInt32());
        Assert.Equal(2, segments.GetProperty("new_user").GetProperty("targets").GetInt32());
        Assert.Equal(expectedNew, segments.GetProperty("new").GetProperty("ndcg@10").GetDouble(), 1e-5);
        Assert.Equal(2, segments.GetProperty("new").GetProperty("ndcg@10_ci95").GetArrayLength());

        // The markdown report: one row per model in each table, a cell per segment, the counts beside NDCG@10.
        string[] lines = TimeSplitReportWriter.Markdown(result).ReplaceLineEndings("\n").Split('\n');
        int ndcgTable = Array.IndexOf(lines, "NDCG@10 [95% interval] (targets) per segment:");
        Assert.Equal("", lines[ndcgTable - 1]);
        Assert.Equal("| model | all | new | tail | head | new_user | validation NDCG@10 |", lines[ndcgTable + 2]);
        Assert.Equal("| --- | --- | --- | --- | --- | --- | --- |", lines[ndcgTable + 3]);
        string[] cells = lines[ndcgTable + 4].Split(" | ");
        Assert.Equal(7, cells.Length);
        Assert.Equal("| " + popularity.Name, cells[0]);
        Assert.StartsWith(expectedNew.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) + " [", cells[2]);
        Assert.EndsWith("(3)", cells[2]);
        int hrTable = Array.IndexOf(lines, "HR@10 per segment:");
        Assert.Equal("| model | all | new | tail | head | new_user |", lines[hrTable + 2]);
        Assert.StartsWith("1.0000 [", lines[hrTable + 4].Split(" | ")[2]);
        Assert.Contains("Validation NDCG@10 per segment (segments relative to the validation cutoff; what choices may look at):", lines);
    }

    [Fact]
    public void A_refitted_recipe_is_retrained_on_everything_before_the_cutoff_for_its_chosen_epochs_and_tested()
    {
        var split = new TimeSplitData(Log(), quantile: 0.84);
        var config = ModelCatalogue.Find("sasrec") with { Dimension = 16, MaxLength = 5, BatchSize = 8, EvaluateEvery = 1, MaxEpochs = 4 };
        var recipe = new RecipeDecision(config, "small sasrec");
        var epochs = new List<(string Name, int Epoch)>();

        var result = TimeSplitEvaluation.Run(split, [], [recipe], seed: 3, onEpoch: (name, e) => epochs.Add((name, e.Epoch)), refit: true);

        var model = result.Models.Single();
        Assert.NotNull(model.Training);
        Assert.NotNull(model.Refit);
        int chosen = Math.Max(1, model.Training!.BestEpoch);
        Assert.Equal(chosen, model.Refit!.EpochsRun);
        Assert.Equal(Enumerable.Range(1, chosen).Select(e => ("sasrec refit", e)), epochs.Where(e => e.Name == "sasrec refit"));
        Assert.Equal(6, model.Test.Metrics("all", result.Bootstrap).Targets);
        Assert.All(model.Refit.Curve, e => Assert.Null(e.ValidationNdcg10));

        string path = Path.Combine(_dir, "refit.json");
        Directory.CreateDirectory(_dir);
        TimeSplitReportWriter.WriteJson(result, path);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(chosen, json.RootElement.GetProperty("models")[0].GetProperty("refit").GetProperty("epochs").GetInt32());
        Assert.Contains("tested after a refit on everything before the cutoff", TimeSplitReportWriter.Markdown(result), StringComparison.Ordinal);

        var unrefitted = TimeSplitEvaluation.Run(split, [], [recipe], seed: 3).Models.Single();
        Assert.Null(unrefitted.Refit);
    }

    [Fact]
    public void Data_without_timestamps_is_refused()
    {
        var items = new ItemVocabulary();
        items.Add("a");
        var error = Assert.Throws<DataFormatException>(() => new TimeSplitData(new InteractionData("store", ["u"], [[1]], items)));
        Assert.Contains("timestamps", error.Message, StringComparison.Ordinal);
    }

    private static double Ndcg(double rank) => 1 / Math.Log2(rank + 2);
}
