using Microsoft.ML.OnnxRuntime;
using Onnx;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace OnDeviceReco.Trainer.Tests;

/// <summary>The exported ONNX graph reproduces TorchSharp eval-mode scoring, top-K and user vector.</summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private const int Items = 300;
    private const int Genres = 5;
    internal const int Length = 20;
    private const int Dimension = 32;
    private const int TopK = 10;
    private const int Batch = 64;
    private const double Tolerance = 1e-4;

    public static TheoryData<string, bool> Cases => new()
    {
        { "sasrec", true }, { "sasrec", false }, { "gru", true }, { "gru", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Onnx_matches_torch_eval_mode(string architecture, bool excludeSeen)
    {
        TorchRuntime.Configure(1, 1234);
        var (model, vocabulary) = RandomModel(architecture, seed: 1234);
        var histories = RandomHistories(vocabulary.Count, new Random(99));
        model.train(); // the exporter must switch to eval mode itself and restore the mode afterwards
        var bytes = OnnxExporter.Export(model);
        Assert.True(model.training);

        var expected = TorchReference(model, histories, excludeSeen);
        var actual = RunOnnx(bytes, histories, excludeSeen, TopK);

        int mismatchedIds = 0;
        double maxScoreDiff = 0, maxVectorDiff = 0;
        for (int i = 0; i < expected.Ids.Length; i++)
        {
            if (expected.Ids[i] != actual.Ids[i])
            {
                mismatchedIds++;
            }
            maxScoreDiff = Math.Max(maxScoreDiff, Math.Abs(expected.Scores[i] - actual.Scores[i]));
        }
        for (int i = 0; i < expected.UserVector.Length; i++)
        {
            maxVectorDiff = Math.Max(maxVectorDiff, Math.Abs(expected.UserVector[i] - actual.UserVector[i]));
        }
        output.WriteLine($"{architecture} exclude_seen={excludeSeen}: {bytes.Length:N0} bytes, {mismatchedIds}/{expected.Ids.Length} " +
            $"top-{TopK} ids differ, max |score diff| {maxScoreDiff:E2}, max |user_vector diff| {maxVectorDiff:E2}, " +
            $"score range [{actual.Scores.Min():F3}, {actual.Scores.Max():F3}]");

        Assert.Equal(0, mismatchedIds);
        Assert.True(maxScoreDiff < Tolerance, $"max score difference {maxScoreDiff}");
        Assert.True(maxVectorDiff < Tolerance, $"max user_vector difference {maxVectorDiff}");

        // The results are not degenerate: ids are real items, scores descend and are finite, and exclusion applies.
        for (int b = 0; b < Batch; b++)
        {
            var seen = histories[b].TakeLast(Length).ToHashSet(); // only what fits in item_ids is excluded
            for (int j = 0; j < TopK; j++)
            {
                long id = actual.Ids[b * TopK + j];
                Assert.InRange(id, 1, vocabulary.Count);
                Assert.True(float.IsFinite(actual.Scores[b * TopK + j]));
                if (j > 0)
                {
                    Assert.True(actual.Scores[b * TopK + j] <= actual.Scores[b * TopK + j - 1]);
                }
                if (excludeSeen)
                {
                    Assert.DoesNotContain((int)id, seen);
                }
            }
            Assert.Equal(TopK, actual.Ids.Skip(b * TopK).Take(TopK).Distinct().Count());
        }
        Assert.True(actual.UserVector.Select(v => Math.Abs(v)).Max() > 0.1, "user vectors are (nearly) zero");
        if (!excludeSeen)
        {
            // With random weights some seen item must reach a top 10, or the exclusion tests prove nothing.
            int rowsWithSeen = Enumerable.Range(0, Batch)
                .Count(b => actual.Ids.Skip(b * TopK).Take(TopK).Any(id => histories[b].TakeLast(Length).Contains((int)id)));
            output.WriteLine($"rows whose top-{TopK} contains a seen item without exclusion: {rowsWithSeen}/{Batch}");
            Assert.True(rowsWithSeen > 0);
        }
    }

    [Theory]
    [InlineData("sasrec")]
    [InlineData("gru")]
    public void Graph_has_the_documented_inputs_and_outputs(string architecture)
    {
        TorchRuntime.Configure(1, 7);
        var (model, vocabulary) = RandomModel(architecture, seed: 7);
        var bytes = OnnxExporter.Export(model);

        var proto = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(8, proto.IrVersion);
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);

        static (string Name, int Type, string[] Dims) Describe(ValueInfoProto v) =>
            (v.Name, v.Type.TensorType.ElemType,
             v.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());

        int int64 = (int)TensorProto.Types.DataType.Int64, boolean = (int)TensorProto.Types.DataType.Bool, float32 = (int)TensorProto.Types.DataType.Float;
        var inputs = proto.Graph.Input.Select(Describe).ToArray();
        Assert.Equal(3, inputs.Length);
        AssertValue(inputs[0], "item_ids", int64, "batch", "20");
        AssertValue(inputs[1], "exclude_seen", boolean, "1");
        AssertValue(inputs[2], "k", int64, "1");
        var outputs = proto.Graph.Output.Select(Describe).ToArray();
        Assert.Equal(3, outputs.Length);
        AssertValue(outputs[0], "top_ids", int64, "batch", "k");
        AssertValue(outputs[1], "top_scores", float32, "batch", "k");
        AssertValue(outputs[2], "user_vector", float32, "batch", "32");

        var table = Assert.Single(proto.Graph.Initializer, t => t.Name == "item_table");
        Assert.Equal([vocabulary.TableSize, Dimension], table.Dims);

        // ONNX Runtime sees the same contract.
        using var session = new InferenceSession(bytes);
        Assert.Equal(["item_ids", "exclude_seen", "k"], session.InputNames);
        Assert.Equal(["top_ids", "top_scores", "user_vector"], session.OutputNames);
        Assert.Equal(typeof(long), session.InputMetadata["item_ids"].ElementType);
        Assert.Equal([-1, Length], session.InputMetadata["item_ids"].Dimensions);
        Assert.Equal(typeof(bool), session.InputMetadata["exclude_seen"].ElementType);
        Assert.Equal(typeof(long), session.InputMetadata["k"].ElementType);
        Assert.Equal(typeof(long), session.OutputMetadata["top_ids"].ElementType);
        Assert.Equal(typeof(float), session.OutputMetadata["top_scores"].ElementType);
        Assert.Equal(typeof(float), session.OutputMetadata["user_vector"].ElementType);
        Assert.Equal([-1, Dimension], session.OutputMetadata["user_vector"].Dimensions);

        // k is an input: k = 1 returns the best of each row's top 10.
        var histories = RandomHistories(vocabulary.Count, new Random(5)).Take(8).ToList();
        var ten = RunOnnx(bytes, histories, excludeSeen: true, k: 10);
        var one = RunOnnx(bytes, histories, excludeSeen: true, k: 1);
        Assert.Equal(histories.Count, one.Ids.Length);
        for (int b = 0; b < histories.Count; b++)
        {
            Assert.Equal(ten.Ids[b * 10], one.Ids[b]);
        }
    }

    [Theory]
    [InlineData("sasrec")]
    [InlineData("gru")]
    public void User_vector_graph_given_the_tables_rows_matches_the_full_graph(string architecture)
    {
        TorchRuntime.Configure(1, 21);
        var (model, vocabulary) = RandomModel(architecture, seed: 21);
        var histories = RandomHistories(vocabulary.Count, new Random(8));
        var full = RunOnnx(OnnxExporter.Export(model), histories, excludeSeen: true, TopK);
        var compact = OnnxExporter.BuildModel(model, userVectorOnly: true);
        Assert.Equal(["item_ids", "item_vectors"], compact.Graph.Input.Select(i => i.Name));
        Assert.Equal(["user_vector"], compact.Graph.Output.Select(o => o.Name));
        // No item-table-sized initializer: the table lives on the device only.
        Assert.DoesNotContain(compact.Graph.Initializer, t => t.Dims.Count > 0 && t.Dims[0] == vocabulary.TableSize);

        float[] table;
        using (no_grad())
        {
            model.eval();
            table = model.ItemTable().contiguous().data<float>().ToArray();
        }
        var ids = Histories.LeftPad(histories, Length);
        var vectors = new float[ids.Length * Dimension];
        for (int i = 0; i < ids.Length; i++)
        {
            table.AsSpan((int)ids[i] * Dimension, Dimension).CopyTo(vectors.AsSpan(i * Dimension));
        }
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(compact));
        using var idValue = OrtValue.CreateTensorValueFromMemory(ids, [histories.Count, Length]);
        using var vectorValue = OrtValue.CreateTensorValueFromMemory(vectors, [histories.Count, Length, Dimension]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions,
            new Dictionary<string, OrtValue> { ["item_ids"] = idValue, ["item_vectors"] = vectorValue }, ["user_vector"]);
        var user = results[0].GetTensorDataAsSpan<float>().ToArray();
        double maxDiff = user.Zip(full.UserVector, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{architecture}: max |user_vector diff| {maxDiff:E2}");
        Assert.True(maxDiff < Tolerance, $"max user_vector difference {maxDiff}");
    }

    [Fact]
    public void Save_writes_the_exported_bytes()
    {
        TorchRuntime.Configure(1, 3);
        var (model, _) = RandomModel("gru", seed: 3);
        var path = Path.Combine(Path.GetTempPath(), $"odr-export-{Guid.NewGuid():N}", "model.onnx");
        try
        {
            OnnxExporter.Save(model, path);
            Assert.Equal(OnnxExporter.Export(model), File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    private static (SequenceModel Model, ItemVocabulary Vocabulary) RandomModel(string architecture, int seed)
    {
        var vocabulary = new ItemVocabulary();
        var random = new Random(seed);
        for (int i = 1; i < Items; i++)
        {
            var genres = Enumerable.Range(0, Genres).Where(_ => random.NextDouble() < 0.35).Select(g => $"genre{g}").ToList();
            vocabulary.Add($"item{i}", $"Item {i}", genres);
        }
        var config = new ModelConfig
        {
            Name = $"test-{architecture}",
            Architecture = architecture,
            Dimension = Dimension,
            Blocks = 2,
            Heads = 2,
            MaxLength = Length,
            Dropout = 0.3, // must be off in eval mode and in the graph
        };
        torch.manual_seed(seed);
        var model = ModelFactory.Create(config, vocabulary);
        using (no_grad())
        {
            // Noise on every parameter (LayerNorm weights and biases included) so parity is not trivial.
            foreach (var (_, parameter) in model.named_parameters())
            {
                parameter.add_(randn_like(parameter) * 0.3);
            }
            model.ItemEmbedding.weight![0].zero_(); // padding row, as training keeps it
        }
        return (model, vocabulary);
    }

    /// <summary>Varied lengths: 1, exactly L, longer than L (truncated), and random; repeats allowed.</summary>
    private static List<int[]> RandomHistories(int itemCount, Random random)
    {
        var lengths = new List<int> { 1, 1, Length, Length, Length + 1, 2 * Length + 7, 2, Length - 1 };
        while (lengths.Count < Batch)
        {
            lengths.Add(random.Next(1, 2 * Length));
        }
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ => random.Next(1, itemCount + 1)).ToArray()).ToList();
    }

    internal sealed record TopResult(long[] Ids, float[] Scores, float[] UserVector);

    internal static TopResult TorchReference(SequenceModel model, List<int[]> histories, bool excludeSeen)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var input = tensor(Histories.LeftPad(histories, Length), [histories.Count, Length]);
        var tableSize = model.TableSize;
        var scores = model.ScoreLast(input).contiguous().data<float>().ToArray();                         // [B, T]
        var userVector = model.call(input).select(1, -1).contiguous().data<float>().ToArray();           // [B, d]
        for (int b = 0; b < histories.Count; b++)
        {
            scores[b * tableSize] = float.NegativeInfinity; // padding column
            if (excludeSeen)
            {
                foreach (int id in histories[b].TakeLast(Length))
                {
                    scores[b * tableSize + id] = float.NegativeInfinity;
                }
            }
        }
        var (values, indices) = tensor(scores, [histories.Count, tableSize]).topk(TopK, dim: 1, largest: true, sorted: true);
        return new TopResult(indices.contiguous().data<long>().ToArray(), values.contiguous().data<float>().ToArray(), userVector);
    }

    internal static TopResult RunOnnx(byte[] bytes, List<int[]> histories, bool excludeSeen, int k)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        using var ids = OrtValue.CreateTensorValueFromMemory(Histories.LeftPad(histories, Length), [histories.Count, Length]);
        using var exclude = OrtValue.CreateTensorValueFromMemory(new[] { excludeSeen }, [1]);
        using var kValue = OrtValue.CreateTensorValueFromMemory(new long[] { k }, [1]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions,
            new Dictionary<string, OrtValue> { ["item_ids"] = ids, ["exclude_seen"] = exclude, ["k"] = kValue },
            ["top_ids", "top_scores", "user_vector"]);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        Assert.Equal([histories.Count, k], shape);
        return new TopResult(results[0].GetTensorDataAsSpan<long>().ToArray(), results[1].GetTensorDataAsSpan<float>().ToArray(),
            results[2].GetTensorDataAsSpan<float>().ToArray());
    }

    private static void AssertValue((string Name, int Type, string[] Dims) actual, string name, int type, params string[] dims)
    {
        Assert.Equal(name, actual.Name);
        Assert.Equal(type, actual.Type);
        Assert.Equal(dims, actual.Dims);
    }
}
