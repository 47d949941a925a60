namespace OnDeviceReco.Trainer.Data;

/// <summary>External item ids ↔ dense indices 1..Count (0 is padding), with each item's genres and title.</summary>
public sealed class ItemVocabulary
{
    private readonly List<string> _ids = [""];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<int[]> _genres = [[]];
    private readonly List<string> _titles = [""];
    private readonly List<string?> _descriptions = [null];
    private readonly List<string> _genreNames = [];
    private readonly Dictionary<string, int> _genreIndex = new(StringComparer.Ordinal);

    /// <summary>Number of real items (indices 1..Count).</summary>
    public int Count => _ids.Count - 1;

    /// <summary>Rows of an embedding table: Count + 1 with the padding row.</summary>
    public int TableSize => _ids.Count;

    public IReadOnlyList<string> GenreNames => _genreNames;

    public string IdOf(int index) => _ids[index];

    public string TitleOf(int index) => _titles[index];

    public int[] GenresOf(int index) => _genres[index];

    /// <summary>The catalogue's description of the item, or null when it has none.</summary>
    public string? DescriptionOf(int index) => _descriptions[index];

    /// <summary>
    /// Each item's sentence vector [<see cref="TableSize"/> × <see cref="TextDimension"/>] (row 0 zero) once
    /// attached (<c>Text.ItemTextVectors.Attach</c>); null before. Text recipes need it; items added afterwards have no
    /// row, so attach after the vocabulary is complete.
    /// </summary>
    public float[]? TextVectors { get; private set; }

    public int TextDimension { get; private set; }

    /// <summary>True when text vectors are attached and cover every item.</summary>
    public bool HasTextVectors => TextVectors is not null && TextVectors.Length == TableSize * TextDimension;

    public void AttachTextVectors(float[] table, int dimension)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (dimension <= 0 || table.Length != TableSize * dimension)
        {
            throw new ArgumentException($"Expected {TableSize} rows of {dimension} floats, got {table.Length} floats.", nameof(table));
        }
        TextVectors = table;
        TextDimension = dimension;
    }

    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>Adds an item (or returns the existing index); later metadata for the same id fills gaps only.</summary>
    public int Add(string id, string? title = null, IEnumerable<string>? genres = null, string? description = null)
    {
        if (!_index.TryGetValue(id, out int index))
        {
            index = _ids.Count;
            _ids.Add(id);
            _index.Add(id, index);
            _genres.Add([]);
            _titles.Add(id);
            _descriptions.Add(null);
        }
        if (!string.IsNullOrWhiteSpace(description))
        {
            _descriptions[index] = description;
        }
        if (title is not null)
        {
            _titles[index] = title;
        }
        if (genres is not null && _genres[index].Length == 0)
        {
            _genres[index] = genres.Select(GenreIndex).Distinct().Order().ToArray();
        }
        return index;
    }

    private int GenreIndex(string name)
    {
        if (!_genreIndex.TryGetValue(name, out int index))
        {
            index = _genreNames.Count;
            _genreNames.Add(name);
            _genreIndex.Add(name, index);
        }
        return index;
    }

    /// <summary>Genre multi-hot matrix [TableSize, GenreCount], each row scaled to unit sum so many-genre items are not louder.</summary>
    public float[] GenreMatrix()
    {
        int genres = Math.Max(1, _genreNames.Count);
        var matrix = new float[TableSize * genres];
        for (int item = 1; item < TableSize; item++)
        {
            foreach (int g in _genres[item])
            {
                matrix[item * genres + g] = 1f / _genres[item].Length;
            }
        }
        return matrix;
    }

    public int GenreCount => Math.Max(1, _genreNames.Count);
}
