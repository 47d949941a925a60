using System.Buffers;
using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// Some items' vectors at unit length, gathered once per call into pooled memory, so each cosine between them is
/// one float dot product: a compact bundle's rows are dequantised once here instead of once per comparison (an
/// explanation compares every result with every history item, diversity every pick with the whole pool); a float32
/// table, already at unit length, is read in place.
/// </summary>
internal sealed class UnitRows : IDisposable
{
    private readonly float[] _rows; // the gathered rows (rented), or the model's own unit table
    private readonly IReadOnlyList<int>? _items; // with the model's table: the row of each item
    private readonly int _dimension;

    private UnitRows(float[] rows, IReadOnlyList<int>? items, int dimension)
    {
        _rows = rows;
        _items = items;
        _dimension = dimension;
    }

    /// <summary>The unit rows of <paramref name="items"/> (model indices) in that order, or null when the model has no item vectors.</summary>
    public static UnitRows? Gather(LoadedModel model, IReadOnlyList<int> items)
    {
        if (!model.HasItemVectors)
        {
            return null;
        }
        int d = model.Dimension;
        if (model.Embeddings is { } table)
        {
            return new UnitRows(table, items, d); // a float32 table is kept at unit length: read in place, nothing copied
        }
        var rows = ArrayPool<float>.Shared.Rent(Math.Max(1, items.Count * d));
        for (int i = 0; i < items.Count; i++)
        {
            model.UnitRow(items[i], rows.AsSpan(i * d, d));
        }
        return new UnitRows(rows, null, d);
    }

    public ReadOnlySpan<float> this[int i] => _rows.AsSpan((_items is null ? i : _items[i]) * _dimension, _dimension);

    /// <summary>Cosine of rows <paramref name="a"/> and <paramref name="b"/>.</summary>
    public float Cosine(int a, int b) => System.Numerics.Tensors.TensorPrimitives.Dot(this[a], this[b]);

    public void Dispose()
    {
        if (_items is null)
        {
            ArrayPool<float>.Shared.Return(_rows);
        }
    }
}
