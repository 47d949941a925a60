using Onnx;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>Sampled softmax learns with a handful of negatives, and the model it trains exports like any other.</summary>
public sealed class SampledSoftmaxTests(ITestOutputHelper output)
{
    private const int Items = 40;

    private static ModelConfig Config(string name) => ModelCatalogue.Find(name) with
    {
        Dimension = 32, MaxLength = 10, BatchSize = 16, Dropout = 0.1, LearningRate = 5e-3, Negatives = 8,
    };

    [Fact]
    public void Sampled_softmax_with_eight_negatives_learns_the_next_item_rule()
    {
        TorchRuntime.Configure(1, 7);
        var data = CycleData.Create(Items, users: 80, length: 12);
        using var model = ModelFactory.Create(Config("sasrec-sampled"), data.Items);
        var result = new SequenceTrainer(model, seed: 7).Train(data.Sequences, validate: null, epochs: 30);

        var cases = Enumerable.Range(0, 40).Select(u => (History: data.Sequences[u][..6], Target: data.Sequences[u][6])).ToList();
        var metrics = new RankingEvaluator(data.Items, data.Sequences).Evaluate(new ModelScorer(model), cases, seed: 7, beyondAccuracy: false);
        output.WriteLine($"HR@10 {metrics.HitRate10:0.000}, NDCG@10 {metrics.Ndcg10:0.000}, loss {result.Curve[0].Loss:0.000} → {result.Curve[^1].Loss:0.000}");
        Assert.True(result.Curve[^1].Loss < result.Curve[0].Loss / 2, "the sampled loss did not fall");
        // Chance is 10 of 34 unseen items; the rule puts the target first.
        Assert.True(metrics.HitRate10 > 0.9, $"HR@10 {metrics.HitRate10}");
    }

    [Fact]
    public void Item_rows_are_the_rows_of_the_item_table()
    {
        TorchRuntime.Configure(1, 3);
        var data = CycleData.Create(Items, users: 4, length: 5);
        using var model = ModelFactory.Create(Config("sasrec-sampled"), data.Items);
        using var indices = tensor(new long[] { 0, 5, 40, 5, 1, 17 }, [2, 3]);
        using var rows = model.ItemRows(indices);
        using var expected = model.ItemTable().index_select(0, indices.flatten()).reshape(2, 3, -1);
        Assert.Equal([2L, 3, 32], rows.shape);
        Assert.True(rows.allclose(expected), "ItemRows differs from ItemTable");
    }

    [Fact]
    public void A_sampled_model_exports_the_same_graph_as_a_full_softmax_model()
    {
        TorchRuntime.Configure(1, 5);
        var data = CycleData.Create(Items, users: 40, length: 12);
        string[] OpTypes(string name)
        {
            using var model = ModelFactory.Create(Config(name), data.Items);
            new SequenceTrainer(model, seed: 5).Train(data.Sequences, validate: null, epochs: 1);
            return ModelProto.Parser.ParseFrom(OnnxExporter.Export(model)).Graph.Node.Select(n => n.OpType).ToArray();
        }
        Assert.Equal(OpTypes("sasrec"), OpTypes("sasrec-sampled"));
    }
}
