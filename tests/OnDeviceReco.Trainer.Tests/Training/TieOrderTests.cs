using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>
/// Interactions with the same timestamp: sources mark them, and training with <see cref="ModelConfig.ShuffleTies"/>
/// sees each run in a fresh order while everything else stays where it was.
/// </summary>
public sealed class TieOrderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "odr-ties", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MovieLens_and_interaction_files_mark_interactions_that_share_the_previous_ones_time()
    {
        File.WriteAllText(Path.Combine(_dir, "ratings.csv"), "userId,movieId,rating,timestamp\n1,10,4,100\n1,20,4,200\n1,30,4,200\n1,40,4,200\n1,50,4,300\n2,10,4,100\n");
        File.WriteAllText(Path.Combine(_dir, "movies.csv"), "movieId,title,genres\n10,A,Drama\n20,B,Drama\n30,C,Drama\n40,D,Drama\n50,E,Drama\n");
        var movies = new MovieLensSource(_dir).Load();
        Assert.Equal([false, false, true, true, false], movies.SameTime![0]);
        Assert.Equal([false], movies.SameTime[1]);

        string log = Path.Combine(_dir, "log.csv");
        File.WriteAllText(log, "user,item,timestamp\nu,a,5\nu,b,5\nu,b,6\nu,c,6\nu,d,7\n");
        var file = DataSources.Open(log).Load();
        // b at 6 repeats b (dropped), so c is compared with the kept b's time (5): not a tie.
        Assert.Equal(["a", "b", "c", "d"], file.Sequences[0].Select(file.Items.IdOf));
        Assert.Equal([false, true, false, false], file.SameTime![0]);
    }

    [Fact]
    public void A_leave_one_out_split_keeps_the_marks_of_the_training_part()
    {
        var data = new InteractionData("ties", ["u"], [[1, 2, 3, 4, 5]], Vocabulary(5), sameTime: [[false, true, true, false, true]]);
        var split = new LeaveOneOutSplit(data);
        Assert.Equal([1, 2, 3], split.TrainSequences[0]);
        Assert.Equal([false, true, true], split.TrainSameTime![0]);
        Assert.Null(new LeaveOneOutSplit(new InteractionData("no times", ["u"], [[1, 2, 3]], Vocabulary(3))).TrainSameTime);
    }

    [Fact]
    public void Only_runs_of_ties_are_reordered_and_every_order_of_a_run_occurs()
    {
        int[] sequence = [1, 2, 3, 4, 5, 6, 7];
        bool[] ties = [false, false, true, true, false, true, false]; // runs: [1], [2 3 4], [5 6], [7]
        var random = new Random(1);
        var orders = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            var shuffled = TieOrder.Shuffle([sequence], [ties], random)[0];
            Assert.Equal(1, shuffled[0]);
            Assert.Equal([2, 3, 4], shuffled[1..4].Order());
            Assert.Equal([5, 6], shuffled[4..6].Order());
            Assert.Equal(7, shuffled[6]);
            orders.Add(string.Join(",", shuffled));
        }
        Assert.Equal(6 * 2, orders.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], sequence); // the caller's data is never changed
        int[] untied = [9, 8];
        Assert.Same(untied, TieOrder.Shuffle([untied], [[false, false]], random)[0]);
    }

    [Fact]
    public void A_model_trained_with_shuffled_ties_learns_which_items_go_together_not_the_order_they_were_listed_in()
    {
        // Eight groups of five items; each user took one whole group at one time, listed in id order (as MovieLens
        // lists a batch rated in one second). Fixed order teaches "after k comes k + 1"; shuffled ties teach only
        // "these five go together".
        const int groups = 8, size = 5, users = 160;
        var random = new Random(3);
        var sequences = new List<int[]>();
        var sameTime = new List<bool[]>();
        for (int u = 0; u < users; u++)
        {
            int g = u % groups;
            sequences.Add(Enumerable.Range(g * size + 1, size).ToArray());
            sameTime.Add([false, true, true, true, true]);
        }
        var data = new InteractionData("groups", Enumerable.Range(0, users).Select(u => $"u{u}").ToList(), sequences, Vocabulary(groups * size), sameTime: sameTime);
        (double Order, double Group) Margins(bool shuffleTies)
        {
            TorchRuntime.Configure(1, 11);
            var config = ModelCatalogue.Find("sasrec") with { Dimension = 32, MaxLength = 5, BatchSize = 16, LearningRate = 5e-3, ShuffleTies = shuffleTies };
            using var model = ModelFactory.Create(config, data.Items);
            new SequenceTrainer(model, seed: 11).Train(data.Sequences, validate: null, epochs: 15, sameTime: data.SameTime);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            // After the group's first two items: the listed-next item (3rd) against the group's other two, and the
            // group's remaining items against the other groups' items.
            var inputs = Enumerable.Range(0, groups).Select(g => new[] { g * size + 1, g * size + 2 }).ToList();
            var scores = model.ScoreLast(tensor(Histories.LeftPad(inputs, config.MaxLength), [groups, config.MaxLength]));
            double order = 0, group = 0;
            for (int g = 0; g < groups; g++)
            {
                var row = scores[g];
                double next = row[g * size + 3].item<float>();
                double others = (row[g * size + 4].item<float>() + row[g * size + 5].item<float>()) / 2;
                double outside = Enumerable.Range(1, groups * size).Where(i => (i - 1) / size != g).Average(i => (double)row[i].item<float>());
                order += (next - others) / groups;
                group += (others - outside) / groups;
            }
            return (order, group);
        }
        var listed = Margins(shuffleTies: false);
        var shuffled = Margins(shuffleTies: true);
        output.WriteLine($"listed-next − other group items: fixed order {listed.Order:0.000}, shuffled {shuffled.Order:0.000}; group − outside: {listed.Group:0.000}, {shuffled.Group:0.000}");
        Assert.True(listed.Order > 1, $"fixed order should learn the listing: {listed}");
        Assert.True(Math.Abs(shuffled.Order) < listed.Order / 3, $"shuffled ties should not: {shuffled} vs {listed}");
        Assert.True(shuffled.Group > 1, $"shuffled ties still learn the group: {shuffled}");
    }

    private static ItemVocabulary Vocabulary(int count)
    {
        var items = new ItemVocabulary();
        for (int i = 1; i <= count; i++)
        {
            items.Add($"i{i}");
        }
        return items;
    }
}
