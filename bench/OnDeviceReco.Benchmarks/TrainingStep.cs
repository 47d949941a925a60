using BenchmarkDotNet.Attributes;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// One SASRec optimiser step (forward, full-softmax loss, backward, Adam) on a batch of MovieLens-sized
/// windows, beside its floor: the forward and backward of the batch's logits matmul against the item
/// table alone, which is most of the arithmetic.
/// </summary>
[MemoryDiagnoser]
public class TrainingStep
{
    private const int Items = 9_066;
    private SequenceModel? _model;
    private SequenceTrainer? _trainer;
    private IReadOnlyList<int[]> _sequences = [];
    private Tensor? _hidden;
    private Tensor? _table;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.Configure(Threads, 7);
        torch.set_num_threads(Threads);
        var vocabulary = new ItemVocabulary();
        for (int i = 0; i < Items; i++)
        {
            vocabulary.Add($"m{i}", null, [$"g{i % 19}"]);
        }
        var random = new Random(7);
        var config = ModelConfig.Catalogue.First(c => c.Name == "sasrec");
        // One batch worth of full windows: BatchSize sequences of MaxLength + 1 items.
        _sequences = Enumerable.Range(0, config.BatchSize)
            .Select(_ => Enumerable.Range(0, config.MaxLength + 1).Select(_ => random.Next(1, Items + 1)).ToArray())
            .ToList();
        _model = ModelFactory.Create(config, vocabulary);
        _trainer = new SequenceTrainer(_model, 7);
        _hidden = randn(config.BatchSize * config.MaxLength, config.Dimension, requires_grad: true);
        _table = randn(Items + 1, config.Dimension, requires_grad: true);
    }

    [Benchmark(Baseline = true, Description = "raw logits matmul, forward + backward")]
    public float LogitsFloor()
    {
        using var scope = NewDisposeScope();
        var logits = _hidden!.matmul(_table!.t());
        var loss = logits.logsumexp(1).mean();
        loss.backward();
        return loss.item<float>();
    }

    [Benchmark(Description = "SASRec training step (1 batch)")]
    public double Step() => _trainer!.Train(_sequences, validate: null, epochs: 1).Curve[0].Loss;
}
