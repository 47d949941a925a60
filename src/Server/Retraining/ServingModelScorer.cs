using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Scores with the serving model exactly as devices run it: its signed ONNX graph in ONNX Runtime, asked for
/// every item (k = all, nothing excluded). Its vocabulary is older than the candidate's, so scores are mapped
/// by item id; items it has never seen get the lowest score (it cannot recommend them). A compact bundle's graph
/// only yields the user vector: the items are then scored against its compact table (residuals included), dequantised once here, which
/// is the exact score a device's two-stage search ends with.
/// </summary>
public sealed class ServingModelScorer : IScorer, IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly int _length;
    private readonly int _servingItems;
    private readonly int[] _toServing;   // candidate index → serving index (0 = unknown)
    private readonly int[] _toCandidate; // serving index → candidate index (0 = unknown)
    private readonly float[]? _compactTable; // dequantised [items + 1, d] of a compact bundle, else null
    private readonly int _dimension;

    public ServingModelScorer(VerifiedBundle bundle, ItemVocabulary candidateItems)
    {
        var manifest = bundle.Manifest;
        _length = manifest.MaxSequenceLength;
        _servingItems = manifest.Items.Count;
        _toServing = new int[candidateItems.TableSize];
        _toCandidate = new int[_servingItems + 1];
        for (int s = 1; s <= _servingItems; s++)
        {
            if (candidateItems.TryGetIndex(manifest.Items[s - 1].Id, out int c))
            {
                _toServing[c] = s;
                _toCandidate[s] = c;
            }
        }
        _dimension = manifest.EmbeddingDimension;
        if (CompactItemTable.FromFiles(bundle.Files, _servingItems + 1, _dimension) is { } table)
        {
            _compactTable = new float[(_servingItems + 1) * _dimension];
            for (int s = 0; s <= _servingItems; s++)
            {
                table.Dequantize(s, _compactTable.AsSpan(s * _dimension, _dimension));
            }
        }
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        _session = new InferenceSession(bundle.ModelBytes, options);
    }

    public void Score(IReadOnlyList<int[]> histories, float[] scores)
    {
        int table = _toServing.Length;
        var ids = new long[_length];
        for (int b = 0; b < histories.Count; b++)
        {
            Array.Clear(ids);
            var known = histories[b].Select(i => _toServing[i]).Where(i => i != 0).ToArray();
            int take = Math.Min(known.Length, _length);
            for (int i = 0; i < take; i++)
            {
                ids[_length - take + i] = known[known.Length - take + i];
            }
            var row = scores.AsSpan(b * table, table);
            row.Fill(float.MinValue);
            if (_compactTable is not null)
            {
                ScoreCompact(ids, _compactTable, row);
                continue;
            }
            using var itemIds = OrtValue.CreateTensorValueFromMemory(ids, [1, _length]);
            using var exclude = OrtValue.CreateTensorValueFromMemory(new[] { false }, [1]);
            using var k = OrtValue.CreateTensorValueFromMemory(new long[] { _servingItems }, [1]);
            using var outputs = _session.Run(_runOptions, ["item_ids", "exclude_seen", "k"], [itemIds, exclude, k], ["top_ids", "top_scores"]);
            var topIds = outputs[0].GetTensorDataAsSpan<long>();
            var topScores = outputs[1].GetTensorDataAsSpan<float>();
            for (int i = 0; i < topIds.Length; i++)
            {
                int candidate = _toCandidate[topIds[i]];
                if (candidate != 0)
                {
                    row[candidate] = topScores[i];
                }
            }
        }
    }

    private void ScoreCompact(long[] ids, float[] table, Span<float> row)
    {
        int d = _dimension;
        var vectors = new float[_length * d];
        for (int i = 0; i < _length; i++)
        {
            table.AsSpan((int)ids[i] * d, d).CopyTo(vectors.AsSpan(i * d, d));
        }
        using var itemIds = OrtValue.CreateTensorValueFromMemory(ids, [1, _length]);
        using var itemVectors = OrtValue.CreateTensorValueFromMemory(vectors, [1, _length, d]);
        using var outputs = _session.Run(_runOptions, ["item_ids", "item_vectors"], [itemIds, itemVectors], ["user_vector"]);
        var user = outputs[0].GetTensorDataAsSpan<float>();
        for (int s = 1; s <= _servingItems; s++)
        {
            int candidate = _toCandidate[s];
            if (candidate != 0)
            {
                row[candidate] = System.Numerics.Tensors.TensorPrimitives.Dot(table.AsSpan(s * d, d), user);
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
