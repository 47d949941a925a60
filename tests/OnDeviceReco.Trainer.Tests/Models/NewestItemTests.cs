using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation.TimeSplit;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Models;

/// <summary>
/// A text recipe's user vector holds (β + boost) ⊙ its newest history item's row (<see cref="ModelConfig.NewestItem"/>):
/// β is learnt in training, the boost chosen on validation, and both graphs the device may receive compute the same.
/// </summary>
public sealed class NewestItemTests
{
    private const double Agreement = 1e-4;

    /// <summary>24 items with random 16-d "sentence" vectors; 40 users each play 8 items, where an item is often followed by its neighbour.</summary>
    private static InteractionData Data()
    {
        var random = new Random(4);
        var items = TinyTextModels.Items(random);
        var sequences = Enumerable.Range(0, 40).Select(u =>
        {
            var sequence = new int[8];
            sequence[0] = random.Next(1, 25);
            for (int k = 1; k < sequence.Length; k++)
            {
                sequence[k] = random.NextDouble() < 0.6 ? sequence[k - 1] % 24 + 1 : random.Next(1, 25);
            }
            return sequence;
        }).ToList();
        return new InteractionData("tiny", sequences.Select((_, u) => $"u{u}").ToList(), sequences, items);
    }

    private static SequenceModel Trained(string recipe, InteractionData data, bool newest = true)
    {
        var model = TinyTextModels.Trained(recipe, data, seed: 23, config => config with { NewestItem = newest });
        model.eval();
        return model;
    }

    private static float[] Floats(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    [Theory]
    [InlineData("sasrec-text")]
    [InlineData("gru-text")]
    public void The_user_vector_adds_beta_plus_boost_times_the_newest_row_and_both_graphs_agree_with_torch(string recipe)
    {
        var data = Data();
        using var model = Trained(recipe, data);
        Assert.Single(model.named_parameters(), p => p.name == "newest");
        Assert.True(Floats(model.Newest!).Max(Math.Abs) > 1e-4, "training left β at zero; the term would test nothing");
        Assert.Equal(4, model.NewestBoost); // the recipe's default, until a validation replay chooses again
        model.NewestBoost = 0.5;
        int d = model.Config.Dimension;
        var random = new Random(6);
        var histories = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, random.Next(1, 9))
            .Select(_ => random.Next(1, data.Items.Count + 1)).ToArray()).ToList();

        // The term, computed here: the user vector minus the same model's without it is (β + 0.5) ⊙ the newest row.
        var expected = OnnxExportTests.TorchReference(model, histories, excludeSeen: true);
        float[] beta = Floats(model.Newest!), table;
        float[] withoutTerm;
        using (no_grad())
        {
            table = Floats(model.ItemTable());
            var saved = model.Newest!.clone();
            model.Newest!.zero_();
            model.NewestBoost = 0;
            withoutTerm = OnnxExportTests.TorchReference(model, histories, excludeSeen: true).UserVector;
            model.Newest!.copy_(saved);
            model.NewestBoost = 0.5;
        }
        for (int b = 0; b < histories.Count; b++)
        {
            int newest = histories[b][^1];
            for (int o = 0; o < d; o++)
            {
                double term = (beta[o] + 0.5) * table[newest * d + o];
                Assert.Equal(withoutTerm[b * d + o] + term, expected.UserVector[b * d + o], Agreement);
            }
        }

        // The full graph (table inside) and the compact one (rows fed by the device) give the same user vector.
        var full = OnnxExportTests.RunOnnx(OnnxExporter.Export(model), histories, excludeSeen: true, k: 10);
        Assert.Equal(expected.Ids, full.Ids);
        for (int i = 0; i < expected.Scores.Length; i++)
        {
            Assert.Equal(expected.Scores[i], full.Scores[i], Agreement);
        }
        var compact = CompactUserVectors(OnnxExporter.Export(model, userVectorOnly: true), histories, table, d);
        for (int i = 0; i < compact.Length; i++)
        {
            Assert.Equal(expected.UserVector[i], compact[i], Agreement);
        }
    }

    [Fact]
    public void Off_the_model_has_no_beta_and_the_graph_no_newest_term()
    {
        var data = Data();
        using var model = Trained("sasrec-text", data, newest: false);
        Assert.Null(model.Newest);
        Assert.DoesNotContain(model.named_parameters(), p => p.name == "newest");
        var graph = OnnxExporter.BuildModel(model);
        Assert.DoesNotContain(graph.Graph.Node, n => n.Output.Contains("newest_item"));
        using var on = Trained("sasrec-text", data);
        Assert.Contains(OnnxExporter.BuildModel(on).Graph.Node, n => n.Output.Contains("newest_item"));
    }

    [Fact]
    public void Validation_chooses_the_boost_best_for_new_items_among_those_no_worse_overall()
    {
        var data = Data();
        using var model = Trained("sasrec-text", data);
        var random = new Random(8);
        var cases = Enumerable.Range(0, 60).Select(c =>
        {
            var history = data.Sequences[c % data.Sequences.Count];
            int target = random.Next(1, 25);
            return new ReplayCase(c % data.Sequences.Count, history, target, c % 3 == 0 ? Segment.New : Segment.Head, NewUser: false);
        }).ToList();

        var (chosen, scores) = NewestBoostChoice.Choose(model, cases);
        Assert.Equal(NewestBoostChoice.Grid, scores.Select(s => s.Setting));
        Assert.Equal(chosen, model.NewestBoost);
        var none = scores.Single(s => s.Setting == 0);
        var pick = scores.Single(s => s.Setting == chosen);
        Assert.True(pick.All >= none.All);
        Assert.Equal(scores.Where(s => s.All >= none.All).Max(s => s.New), pick.New);
        var ranks = ReplayRanking.Ranks(new OnDeviceReco.Trainer.Evaluation.ModelScorer(model), cases, model.TableSize);
        Assert.Equal(pick.All, ranks.Average(ReplayRanking.Ndcg10), 1e-10);
    }

    [Fact]
    public void Held_out_validation_keeps_the_boost_it_scores_best_and_the_export_carries_it()
    {
        var data = Data();
        using var model = Trained("sasrec-text", data);
        // Each user's newest item as the target of the rest: what leave-one-out validation asks.
        var cases = data.Sequences.Select(s => (History: s[..^1], Target: s[^1])).ToList();
        var scorer = new OnDeviceReco.Trainer.Evaluation.ModelScorer(model);
        var seen = new List<(double Boost, double Score)>();
        double Validate()
        {
            var scores = new float[cases.Count * model.TableSize];
            scorer.Score(cases.ConvertAll(c => c.History), scores);
            // The target's rank among all items; a score that rises with the boost makes the choice observable.
            double score = cases.Select((c, i) => scores.AsSpan(i * model.TableSize, model.TableSize).ToArray()
                .Skip(1).Count(v => v > scores[i * model.TableSize + c.Target])).Average(r => 1.0 / (1 + r));
            seen.Add((model.NewestBoost, score));
            return score;
        }

        string? detail = HeldOutBoostChoice.Choose(model, Validate);
        Assert.Equal(NewestBoostChoice.Grid, seen.Select(s => s.Boost));
        double best = seen.Max(s => s.Score);
        Assert.Equal(seen.First(s => s.Score == best).Boost, model.NewestBoost);
        Assert.Contains(FormattableString.Invariant($"newest-item boost {model.NewestBoost} "), detail, StringComparison.Ordinal);
        using var weight = model.NewestWeight();
        using var beta = model.Newest!.detach();
        Assert.True((weight - beta - model.NewestBoost).abs().max().item<float>() < 1e-5);

        using var plain = Trained("sasrec-text", data, newest: false);
        Assert.Null(HeldOutBoostChoice.Choose(plain, () => throw new InvalidOperationException("nothing to choose: never scored")));
    }

    internal static float[] CompactUserVectors(byte[] graph, List<int[]> histories, float[] table, int d)
    {
        int length = OnnxExportTests.Length;
        var ids = Histories.LeftPad(histories, length);
        var vectors = new float[ids.Length * d];
        for (int i = 0; i < ids.Length; i++)
        {
            table.AsSpan((int)ids[i] * d, d).CopyTo(vectors.AsSpan(i * d));
        }
        using var session = new InferenceSession(graph);
        using var idValue = OrtValue.CreateTensorValueFromMemory(ids, [histories.Count, length]);
        using var vectorValue = OrtValue.CreateTensorValueFromMemory(vectors, [histories.Count, length, d]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions,
            new Dictionary<string, OrtValue> { ["item_ids"] = idValue, ["item_vectors"] = vectorValue }, ["user_vector"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
