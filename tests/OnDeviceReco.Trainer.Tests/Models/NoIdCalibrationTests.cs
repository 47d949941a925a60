using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation.TimeSplit;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Models;

/// <summary>
/// A text recipe's items without an ID part are placed by its <see cref="NoIdCalibration"/> (scale × text part + shift ×
/// the interaction-weighted mean ID offset) in the one item table, in the export and in catalogue updates; played items
/// keep their rows.
/// </summary>
public sealed class NoIdCalibrationTests
{
    private const int TextDimension = TinyTextModels.TextDimension;
    private const int Played = 20; // items 1..20 are played; 21..24 never are

    // Absolute agreement of rows computed along different float32 paths (one matrix product vs an affine map composed
    // from basis vectors). Rounding both to 4 decimals would fail on a 1e-7 difference that straddles a
    // rounding boundary, while letting differences near 1e-4 pass.
    private const double Agreement = 5e-5;

    /// <summary>24 items with random 16-d "sentence" vectors; 40 users each play 8 of items 1–20, some far more often than others.</summary>
    private static InteractionData Data()
    {
        var random = new Random(4);
        var items = TinyTextModels.Items(random);
        var sequences = Enumerable.Range(0, 40)
            .Select(u => Enumerable.Range(0, 8).Select(k => 1 + (int)(Played * Math.Pow(random.NextDouble(), 2))).ToArray()).ToList();
        return new InteractionData("tiny", sequences.Select((_, u) => $"u{u}").ToList(), sequences, items);
    }

    private static SequenceModel Trained(string recipe, InteractionData data) => TinyTextModels.Trained(recipe, data, seed: 19);

    private static float[] Table(SequenceModel model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        return model.ItemTable().contiguous().data<float>().ToArray();
    }

    [Theory]
    [InlineData("sasrec-text")]
    [InlineData("gru-text")]
    public void Rows_without_an_id_part_are_scaled_and_shifted_by_the_expected_offset_and_played_rows_stay(string recipe)
    {
        var data = Data();
        using var model = Trained(recipe, data);
        int d = model.Config.Dimension;
        Assert.True(model.Calibration.IsNone); // the recipe's default
        float[] before = Table(model);

        // The expected ID part of a played item, computed here from the offsets and the interaction counts.
        var counts = new double[model.TableSize];
        foreach (int item in data.Sequences.SelectMany(s => s))
        {
            counts[item]++;
        }
        float[] offsets;
        using (no_grad())
        {
            offsets = model.ItemEmbedding.weight!.contiguous().data<float>().ToArray();
        }
        var expected = new double[d];
        for (int i = 1; i < model.TableSize; i++)
        {
            for (int o = 0; o < d; o++)
            {
                expected[o] += counts[i] / counts.Sum() * offsets[i * d + o];
            }
        }
        Assert.True(expected.Max(Math.Abs) > 1e-4, "training left the offsets at zero; the shift would test nothing");

        model.Calibration = new NoIdCalibration(2, 1.5);
        float[] after = Table(model);
        for (int i = 0; i < model.TableSize; i++)
        {
            bool noId = i > Played;
            for (int o = 0; o < d; o++)
            {
                double want = noId ? 2 * before[i * d + o] + 1.5 * expected[o] : before[i * d + o];
                Assert.Equal(want, after[i * d + o], Agreement);
            }
        }
        Assert.All(after.AsSpan(0, d).ToArray(), v => Assert.Equal(0, v)); // padding stays zero
    }

    [Theory]
    [InlineData("sasrec-text")]
    [InlineData("gru-text")]
    public void The_calibration_reaches_catalogue_updates_and_the_export_agrees_with_torch(string recipe)
    {
        var data = Data();
        using var model = Trained(recipe, data);
        model.Calibration = new NoIdCalibration(1.5, 2);
        int d = model.Config.Dimension;
        float[] table = Table(model);

        // A catalogue update places the unplayed items exactly where the calibrated table does.
        var projector = NewItemProjector.From(model, data.Items);
        var unplayed = Enumerable.Range(Played + 1, 4).ToArray();
        float[] rows = projector.Rows([.. unplayed.Select(i => new NewItemInput(data.Items.TextVectors!.AsSpan(i * TextDimension, TextDimension).ToArray(), []))]);
        for (int k = 0; k < unplayed.Length; k++)
        {
            for (int o = 0; o < d; o++)
            {
                Assert.Equal(table[unplayed[k] * d + o], rows[k * d + o], Agreement);
            }
        }

        // Histories that hold unplayed items too: the input side uses the same calibrated rows in both.
        var random = new Random(6);
        var histories = Enumerable.Range(0, 24).Select(_ => Enumerable.Range(0, random.Next(1, 6))
            .Select(_ => random.Next(1, data.Items.Count + 1)).ToArray()).ToList();
        var expected = OnnxExportTests.TorchReference(model, histories, excludeSeen: true);
        var actual = OnnxExportTests.RunOnnx(OnnxExporter.Export(model), histories, excludeSeen: true, k: 10);
        Assert.Equal(expected.Ids, actual.Ids);
        for (int i = 0; i < expected.Scores.Length; i++)
        {
            Assert.Equal(expected.Scores[i], actual.Scores[i], 1e-4f);
        }
        // And the calibration changed what is recommended: the uncalibrated table ranks differently.
        model.Calibration = NoIdCalibration.None;
        Assert.NotEqual(expected.Scores, OnnxExportTests.TorchReference(model, histories, excludeSeen: true).Scores);
    }

    [Fact]
    public void Validation_chooses_the_best_setting_for_new_items_among_those_no_worse_overall()
    {
        var data = Data();
        using var model = Trained("sasrec-text", data);
        // Replays whose targets are new (unplayed) items for some users and played items for the others.
        var random = new Random(8);
        var cases = Enumerable.Range(0, 60).Select(c =>
        {
            var history = data.Sequences[c % data.Sequences.Count];
            int target = c % 3 == 0 ? Played + 1 + random.Next(4) : history[random.Next(history.Length)];
            return new ReplayCase(c % data.Sequences.Count, history, target, target > Played ? Segment.New : Segment.Head, NewUser: false);
        }).ToList();

        var (chosen, scores) = NoIdCalibrationChoice.Choose(model, cases);
        Assert.Equal(NoIdCalibration.Grid, scores.Select(s => s.Setting));
        Assert.Same(chosen, model.Calibration);
        var none = scores.Single(s => s.Setting.IsNone);
        var pick = scores.Single(s => s.Setting == chosen);
        Assert.True(pick.All >= none.All);
        Assert.Equal(scores.Where(s => s.All >= none.All).Max(s => s.New), pick.New);
        // Each score is the replay of that setting: scoring the chosen one again gives the same numbers.
        var ranks = ReplayRanking.Ranks(new OnDeviceReco.Trainer.Evaluation.ModelScorer(model), cases, model.TableSize);
        Assert.Equal(pick.All, ranks.Average(ReplayRanking.Ndcg10), 10);
    }
}
