using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Models;

/// <summary>Each item's sentence vector, [TableSize × Dimension] row-major with row 0 (padding) zero.</summary>
public sealed record ItemTextInput(float[] Vectors, int Dimension);

/// <summary>
/// The text path of a text recipe: the items' fixed sentence vectors, standardised per dimension over the catalogue
/// (centred and scaled — the diagonal part of UniSRec's whitening, so the adaptor starts from comparable inputs), and a
/// learned linear adaptor to the model's dimension. No bias: the padding row stays zero (devices feed zeros there),
/// and a bias shared by every item would not change any ranking.
/// </summary>
public sealed class TextItemPart : nn.Module
{
    private readonly Tensor vectors;
    private readonly Linear adaptor;
    private readonly float[] _mean;
    private readonly float[] _scale;

    public TextItemPart(ItemTextInput text, int tableSize, int dimension) : base("TextItemPart")
    {
        if (text.Vectors.Length != tableSize * text.Dimension)
        {
            throw new ArgumentException($"Text vectors hold {text.Vectors.Length} floats; {tableSize} rows of {text.Dimension} were expected.", nameof(text));
        }
        (_mean, _scale) = Moments(text.Vectors, tableSize, text.Dimension);
        vectors = tensor(Standardise(text.Vectors, tableSize), [tableSize, text.Dimension]);
        adaptor = nn.Linear(text.Dimension, dimension, hasBias: false);
        using (no_grad())
        {
            // Rows start at the scale of an ID embedding (std 1/√d), as the other recipes' item rows do.
            nn.init.normal_(adaptor.weight!, 0, 1.0 / Math.Sqrt((double)dimension * text.Dimension));
        }
        register_buffer("vectors", vectors, persistent: false);
        RegisterComponents();
    }

    public Linear Adaptor => adaptor;

    /// <summary>adaptor(text) of every item: [TableSize, d].</summary>
    public Tensor Table() => adaptor.call(vectors);

    /// <summary>adaptor(text) of <paramref name="flat"/> indices: [N, d].</summary>
    public Tensor Rows(Tensor flat) => adaptor.call(vectors.index_select(0, flat));

    /// <summary>
    /// Item rows for sentence vectors the model was not built with (items added to the catalogue after training):
    /// standardised with the training catalogue's moments and passed through the trained adaptor, so a new item sits
    /// where the model would have put it. <paramref name="textVectors"/> is count × text dimension; the result count × d.
    /// </summary>
    public float[] Project(float[] textVectors)
    {
        ArgumentNullException.ThrowIfNull(textVectors);
        int dimension = _mean.Length;
        if (textVectors.Length % dimension != 0)
        {
            throw new ArgumentException($"Expected rows of {dimension} floats; got {textVectors.Length} floats.", nameof(textVectors));
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var standardised = new float[textVectors.Length];
        for (int i = 0; i < textVectors.Length; i++)
        {
            standardised[i] = (textVectors[i] - _mean[i % dimension]) * _scale[i % dimension];
        }
        return adaptor.call(tensor(standardised, [textVectors.Length / dimension, dimension])).contiguous().data<float>().ToArray();
    }

    private static (float[] Mean, float[] Scale) Moments(float[] table, int rows, int dimension)
    {
        var mean = new float[dimension];
        var scale = new float[dimension];
        for (int d = 0; d < dimension; d++)
        {
            double sum = 0, squares = 0;
            for (int r = 1; r < rows; r++)
            {
                double v = table[r * dimension + d];
                sum += v;
                squares += v * v;
            }
            int n = Math.Max(1, rows - 1);
            double m = sum / n;
            double sd = Math.Sqrt(Math.Max(squares / n - m * m, 0));
            mean[d] = (float)m;
            scale[d] = (float)(sd > 1e-6 ? 1 / sd : 1);
        }
        return (mean, scale);
    }

    private float[] Standardise(float[] table, int rows)
    {
        int dimension = _mean.Length;
        var result = new float[table.Length];
        for (int r = 1; r < rows; r++)
        {
            for (int d = 0; d < dimension; d++)
            {
                result[r * dimension + d] = (table[r * dimension + d] - _mean[d]) * _scale[d];
            }
        }
        return result; // row 0 (padding) stays zero
    }
}
