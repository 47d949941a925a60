using Microsoft.ML.OnnxRuntime;

namespace OnDeviceReco.Inference;

/// <summary>
/// Input and output memory for one model run, allocated once and reused: ONNX Runtime reads and writes these
/// arrays in place, so a call allocates nothing large. One instance serves one call at a time.
/// </summary>
internal sealed class ModelRunBuffers : IDisposable
{
    public ModelRunBuffers(int sequenceLength, int candidates, int dimension)
    {
        ItemIds = new long[sequenceLength];
        TopIds = new long[candidates];
        TopScores = new float[candidates];
        UserVector = new float[dimension];
        var memory = OrtMemoryInfo.DefaultInstance;
        Inputs =
        [
            OrtValue.CreateTensorValueFromMemory(memory, ItemIds.AsMemory(), [1, sequenceLength]),
            OrtValue.CreateTensorValueFromMemory(memory, _exclude.AsMemory(), [1]),
            OrtValue.CreateTensorValueFromMemory(memory, new long[] { candidates }.AsMemory(), [1]),
        ];
        Outputs =
        [
            OrtValue.CreateTensorValueFromMemory(memory, TopIds.AsMemory(), [1, candidates]),
            OrtValue.CreateTensorValueFromMemory(memory, TopScores.AsMemory(), [1, candidates]),
            OrtValue.CreateTensorValueFromMemory(memory, UserVector.AsMemory(), [1, dimension]),
        ];
    }

    private readonly bool[] _exclude = [true];

    /// <summary>The model's exclude_seen input for the next run.</summary>
    public bool ExcludeSeen
    {
        get => _exclude[0];
        set => _exclude[0] = value;
    }

    public long[] ItemIds { get; }
    public long[] TopIds { get; }
    public float[] TopScores { get; }
    public float[] UserVector { get; }
    public OrtValue[] Inputs { get; }
    public OrtValue[] Outputs { get; }

    public static readonly string[] InputNames = ["item_ids", "exclude_seen", "k"];
    public static readonly string[] OutputNames = ["top_ids", "top_scores", "user_vector"];

    public void Dispose()
    {
        foreach (var value in Inputs.Concat(Outputs))
        {
            value.Dispose();
        }
    }
}
