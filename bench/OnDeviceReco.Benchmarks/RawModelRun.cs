using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Inference;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// The raw floor a Recommend benchmark is measured against: the bundle's ONNX graph in a bare ONNX Runtime session
/// (one thread, as the SDK runs it), inputs and outputs bound once to preallocated tensors, so a run is
/// <c>InferenceSession.Run</c> and nothing else.
/// </summary>
internal sealed class RawModelRun : IDisposable
{
    private static readonly string[] InputNames = ["item_ids", "exclude_seen", "k"];
    private static readonly string[] OutputNames = ["top_ids", "top_scores", "user_vector"];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;

    /// <param name="modelBytes">The verified graph.</param>
    /// <param name="history">Item indices, as long as the graph's input row.</param>
    /// <param name="dimension">Length of the user vector the graph returns.</param>
    public RawModelRun(byte[] modelBytes, IReadOnlyList<int> history, int dimension)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(modelBytes, options);
        int pool = new InferenceOptions().CandidatePool; // the SDK's candidate count, so both ask the graph for as much
        var memory = OrtMemoryInfo.DefaultInstance;
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(memory, history.Select(h => (long)h).ToArray().AsMemory(), [1, history.Count]),
            OrtValue.CreateTensorValueFromMemory(memory, new[] { true }.AsMemory(), [1]),
            OrtValue.CreateTensorValueFromMemory(memory, new long[] { pool }.AsMemory(), [1]),
        ];
        _outputs =
        [
            OrtValue.CreateTensorValueFromMemory(memory, new long[pool].AsMemory(), [1, pool]),
            OrtValue.CreateTensorValueFromMemory(memory, new float[pool].AsMemory(), [1, pool]),
            OrtValue.CreateTensorValueFromMemory(memory, new float[dimension].AsMemory(), [1, dimension]),
        ];
    }

    public void Run() => _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);

    public void Dispose()
    {
        foreach (var value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }
        _runOptions.Dispose();
        _session.Dispose();
    }
}
