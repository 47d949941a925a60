using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// Fixed item-table columns holding each item's sentence vector in a rank-r projection that keeps their dot products
/// (<see cref="ModelConfig.TextColumns"/>): the top r right singular vectors of the catalogue's sentence-vector table,
/// uncentred, so the projected rows' dot products are the best rank-r approximation of the text cosines. The model's
/// own d columns are a learnt, low-rank place (64 columns lose which titles are nearest: the content baseline's
/// new-item NDCG@10 on the time split's validation fell from 0.0206 with all 384 text dimensions to 0.0178 at rank 64
/// and 0.0111 at 32); these columns keep the nearest neighbours, and the user vector weighs them per column through the
/// newest-item term (β, learnt; the boost, chosen on validation). Never trained: an item added later gets its columns
/// from its text alone, the same projection.
/// </summary>
public sealed class TextColumns
{
    /// <summary>Projected vectors are multiplied by this, so that a boost of 4 weighs a cosine by 16 (the content blend's scale).</summary>
    public const float Scale = 2f;

    private readonly float[] _basis; // [textDimension × Rank]: column j the j-th singular vector, times Scale

    private TextColumns(float[] basis, int textDimension, int rank, Tensor table)
    {
        _basis = basis;
        TextDimension = textDimension;
        Rank = rank;
        Table = table;
    }

    public int TextDimension { get; }

    public int Rank { get; }

    /// <summary>The columns of every item of the model's table, [TableSize, Rank] (row 0 zero).</summary>
    public Tensor Table { get; }

    /// <summary>Fits the projection to <paramref name="text"/> (the model's items' sentence vectors) and projects them.</summary>
    public static TextColumns Fit(ItemTextInput text, int rank)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, text.Dimension);
        int dimension = text.Dimension;
        float[] basis;
        using (NewDisposeScope())
        using (no_grad())
        {
            var vectors = tensor(text.Vectors, [text.Vectors.Length / dimension, dimension], ScalarType.Float64);
            var (_, eigenvectors) = linalg.eigh(vectors.t().matmul(vectors)); // eigenvalues ascending
            var top = eigenvectors.narrow(1, dimension - rank, rank).flip(1).mul(Scale).to_type(ScalarType.Float32).contiguous();
            basis = top.data<float>().ToArray();
        }
        var table = tensor(Project(basis, dimension, rank, text.Vectors), [text.Vectors.Length / dimension, rank]);
        return new TextColumns(basis, dimension, rank, table);
    }

    /// <summary>count × <see cref="TextDimension"/> sentence vectors → count × <see cref="Rank"/> columns.</summary>
    public float[] Project(float[] vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Length % TextDimension != 0)
        {
            throw new ArgumentException($"Expected rows of {TextDimension} floats; got {vectors.Length} floats.", nameof(vectors));
        }
        return Project(_basis, TextDimension, Rank, vectors);
    }

    private static float[] Project(float[] basis, int textDimension, int rank, float[] vectors)
    {
        int rows = vectors.Length / textDimension;
        var result = new float[rows * rank];
        for (int r = 0; r < rows; r++)
        {
            var row = vectors.AsSpan(r * textDimension, textDimension);
            var output = result.AsSpan(r * rank, rank);
            for (int k = 0; k < textDimension; k++)
            {
                if (row[k] != 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(basis.AsSpan(k * rank, rank), row[k], output, output);
                }
            }
        }
        return result;
    }
}
