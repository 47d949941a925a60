using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Protocol;
using OnDeviceReco.Search;

namespace OnDeviceReco.Inference;

/// <summary>
/// Input and output memory for one run of a compact bundle's user-vector graph, allocated once and reused:
/// the history's item ids (for the padding mask) and their item vectors, dequantised from the compact table
/// by the device because the graph holds no item table of its own; and the search's working memory. One instance
/// serves one call at a time.
/// </summary>
internal sealed class UserVectorBuffers : IDisposable
{
    public static readonly string[] InputNames = ["item_ids", "item_vectors"];
    public static readonly string[] OutputNames = ["user_vector"];

    private readonly int _dimension;

    public UserVectorBuffers(int sequenceLength, int dimension, int groups, int shortlist)
    {
        Search = new SearchBuffers(groups, shortlist);
        _dimension = dimension;
        ItemIds = new long[sequenceLength];
        ItemVectors = new float[sequenceLength * dimension];
        UserVector = new float[dimension];
        var memory = OrtMemoryInfo.DefaultInstance;
        Inputs =
        [
            OrtValue.CreateTensorValueFromMemory(memory, ItemIds.AsMemory(), [1, sequenceLength]),
            OrtValue.CreateTensorValueFromMemory(memory, ItemVectors.AsMemory(), [1, sequenceLength, dimension]),
        ];
        Outputs = [OrtValue.CreateTensorValueFromMemory(memory, UserVector.AsMemory(), [1, dimension])];
    }

    public long[] ItemIds { get; }
    public float[] ItemVectors { get; }
    public float[] UserVector { get; }
    public OrtValue[] Inputs { get; }
    public OrtValue[] Outputs { get; }
    public SearchBuffers Search { get; }

    /// <summary>
    /// Left-pads <paramref name="newest"/> (at most the sequence length) with item 0 and gathers every position's
    /// row, padding included, exactly as the exact graph's Gather does.
    /// </summary>
    public void Fill(ReadOnlySpan<int> newest, CompactItemTable table)
    {
        int start = ItemIds.Length - newest.Length;
        for (int i = 0; i < ItemIds.Length; i++)
        {
            int item = i < start ? 0 : newest[i - start];
            ItemIds[i] = item;
            table.Dequantize(item, ItemVectors.AsSpan(i * _dimension, _dimension));
        }
    }

    public void Dispose()
    {
        foreach (var value in Inputs.Concat(Outputs))
        {
            value.Dispose();
        }
    }
}
