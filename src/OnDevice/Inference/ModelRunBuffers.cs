using Microsoft.ML.OnnxRuntime;

namespace OnDeviceReco.Inference;

/// <summary>
/// Input and output memory for one model run, allocated once and reused: ONNX Runtime reads and writes these
/// arrays in place, so a call allocates nothing large. One instance serves one call at a time. With a
/// <c>rowLength</c>, the run also writes the whole score row (<see cref="ScoreRowOutput"/>) and the instance holds the
/// working memory to select from it (<see cref="RowTopK"/>).
/// </summary>
internal sealed class ModelRunBuffers : IDisposable
{
    public ModelRunBuffers(int sequenceLength, int candidates, int dimension, int rowLength = 0)
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
        if (rowLength > 0)
        {
            Row = new float[rowLength];
            Outputs = [.. Outputs, OrtValue.CreateTensorValueFromMemory(memory, Row.AsMemory(), [1, rowLength])];
            OutputNames = RowOutputNames;
        }
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

    /// <summary>Every item's score (model indices 1…, seen items −∞ when excluded), or empty without a row output.</summary>
    public float[] Row { get; } = [];

    /// <summary>Working memory of a selection from <see cref="Row"/>.</summary>
    public RowTopK.Buffers Selection { get; } = new();
    public OrtValue[] Inputs { get; }
    public OrtValue[] Outputs { get; }

    public static readonly string[] InputNames = ["item_ids", "exclude_seen", "k"];
    public static readonly string[] GraphOutputNames = ["top_ids", "top_scores", "user_vector"];
    private static readonly string[] RowOutputNames = [.. GraphOutputNames, ScoreRowOutput.Name];

    /// <summary>The outputs this instance binds, in the order of <see cref="Outputs"/>.</summary>
    public string[] OutputNames { get; } = GraphOutputNames;

    public void Dispose()
    {
        foreach (var value in Inputs.Concat(Outputs))
        {
            value.Dispose();
        }
    }
}
