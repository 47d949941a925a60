using System.Buffers.Binary;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Bundles;

/// <summary>One item added to the catalogue after a model was trained: its sentence vector (null when the model has no text path) and its categories.</summary>
public sealed record NewItemInput(float[]? TextVector, IReadOnlyList<string> Categories);

/// <summary>
/// What a trained model needs to place an item it was not trained with, kept beside the model so a catalogue update
/// runs without the model, TorchSharp or retraining: the text path as one affine map of the item's sentence vector
/// (the trained adaptor after the training catalogue's standardisation: row = A·t + b) and the genre projection with
/// the genre names it was trained on. A new item's ID offset is zero, so its row is exactly what the model's own item
/// table gives an item with no ID part: text part plus content part, whichever the recipe has.
/// <para>File format (little-endian): "ODRPRJ1\n", d, text dimension (0 without a text path), then A (d × text
/// dimension, row-major) and b (d); genre count G, each genre name (int32 UTF-8 length, bytes), then the content
/// weight (d × G, row-major; G = 0 without a content path).</para>
/// </summary>
public sealed class NewItemProjector
{
    private static readonly byte[] Magic = "ODRPRJ1\n"u8.ToArray();

    private readonly float[] _text;      // [d × textDimension]
    private readonly float[] _textBias;  // [d]
    private readonly string[] _genres;
    private readonly Dictionary<string, int> _genreIndex;
    private readonly float[] _content;   // [d × genres]

    private NewItemProjector(int dimension, int textDimension, float[] text, float[] textBias, string[] genres, float[] content)
    {
        Dimension = dimension;
        TextDimension = textDimension;
        _text = text;
        _textBias = textBias;
        _genres = genres;
        _content = content;
        _genreIndex = genres.Select((name, i) => (name, i)).ToDictionary(g => g.name, g => g.i, StringComparer.Ordinal);
    }

    /// <summary>Width of the model's item rows.</summary>
    public int Dimension { get; }

    /// <summary>Width of the sentence vectors the text path takes; 0 when the model has none (ID-only recipe).</summary>
    public int TextDimension { get; }

    public bool HasText => TextDimension > 0;

    /// <summary>True when the model projects an item's categories (<see cref="ModelConfig.UseContent"/>).</summary>
    public bool HasContent => _genres.Length > 0;

    /// <summary>Takes the placement rules out of a trained model; <paramref name="items"/> is the vocabulary it was trained on (its genre names).</summary>
    public static NewItemProjector From(SequenceModel model, ItemVocabulary items)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        int d = model.RowWidth; // text columns included: they are linear in the sentence vector too
        int textDimension = model.Text is null ? 0 : items.TextDimension;
        float[] text = new float[d * textDimension], bias = new float[textDimension == 0 ? 0 : d];
        if (model.Text is not null)
        {
            // The text path, calibration included, is affine in the sentence vector: project the zero vector (the bias)
            // and each basis vector (bias + one column) through the model itself, so the rule is whatever it computes.
            var inputs = new float[(textDimension + 1) * textDimension];
            for (int k = 0; k < textDimension; k++)
            {
                inputs[(k + 1) * textDimension + k] = 1;
            }
            float[] rows = model.NewItemRows(inputs);
            Array.Copy(rows, bias, d);
            for (int k = 0; k < textDimension; k++)
            {
                for (int o = 0; o < d; o++)
                {
                    text[o * textDimension + k] = rows[(k + 1) * d + o] - bias[o];
                }
            }
        }
        string[] genres = model.Config.UseContent ? [.. items.GenreNames] : [];
        float[] content = [];
        if (genres.Length > 0)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            content = model.Content.weight!.detach().cpu().contiguous().data<float>().ToArray(); // [d, G]
        }
        return new NewItemProjector(d, textDimension, text, bias, genres, content);
    }

    /// <summary>
    /// The item rows of <paramref name="items"/>, row-major [count × <see cref="Dimension"/>]. Categories the model never
    /// saw contribute nothing (the model has no direction for them).
    /// </summary>
    /// <exception cref="ArgumentException">A text vector of the wrong width, or missing while the model has a text path.</exception>
    public float[] Rows(IReadOnlyList<NewItemInput> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        int d = Dimension;
        var rows = new float[items.Count * d];
        for (int i = 0; i < items.Count; i++)
        {
            var row = rows.AsSpan(i * d, d);
            if (HasText)
            {
                var vector = items[i].TextVector;
                if (vector is null || vector.Length != TextDimension)
                {
                    throw new ArgumentException($"Item {i} needs a sentence vector of {TextDimension} floats.", nameof(items));
                }
                for (int o = 0; o < d; o++)
                {
                    row[o] = _textBias[o] + System.Numerics.Tensors.TensorPrimitives.Dot(_text.AsSpan(o * TextDimension, TextDimension), vector);
                }
            }
            // Each of an item's categories weighs 1 / its number of categories, as in the vocabulary's genre matrix.
            var categories = items[i].Categories.Distinct(StringComparer.Ordinal).ToArray();
            foreach (string category in categories)
            {
                if (_genreIndex.TryGetValue(category, out int g))
                {
                    for (int o = 0; o < d; o++)
                    {
                        row[o] += _content[o * _genres.Length + g] / categories.Length;
                    }
                }
            }
        }
        return rows;
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(Magic);
            writer.Write(Dimension);
            writer.Write(TextDimension);
            Floats(writer, _text);
            Floats(writer, _textBias);
            writer.Write(_genres.Length);
            foreach (string genre in _genres)
            {
                byte[] name = System.Text.Encoding.UTF8.GetBytes(genre);
                writer.Write(name.Length);
                writer.Write(name);
            }
            Floats(writer, _content);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <exception cref="InvalidDataException">The file is not a projector this code wrote.</exception>
    public static NewItemProjector Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"{path} is not a new-item projector.");
            }
            int d = reader.ReadInt32(), textDimension = reader.ReadInt32();
            if (d is < 1 or > 4096 || textDimension is < 0 or > 4096)
            {
                throw new InvalidDataException($"{path}: dimensions {d} and {textDimension} are out of range.");
            }
            var text = ReadFloats(reader, d * textDimension);
            var bias = ReadFloats(reader, textDimension == 0 ? 0 : d);
            int count = reader.ReadInt32();
            if (count is < 0 or > 1_000_000)
            {
                throw new InvalidDataException($"{path}: {count} genres is out of range.");
            }
            var genres = new string[count];
            for (int g = 0; g < count; g++)
            {
                int length = reader.ReadInt32();
                genres[g] = length is >= 0 and <= 4096 ? System.Text.Encoding.UTF8.GetString(reader.ReadBytes(length))
                    : throw new InvalidDataException($"{path}: a genre name of {length} bytes.");
            }
            var content = ReadFloats(reader, d * count);
            return new NewItemProjector(d, textDimension, text, bias, genres, content);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is cut short.", e);
        }
    }

    private static void Floats(BinaryWriter writer, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        writer.Write(bytes);
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        byte[] bytes = reader.ReadBytes(count * sizeof(float));
        if (bytes.Length != count * sizeof(float))
        {
            throw new EndOfStreamException();
        }
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }
        return values;
    }
}
