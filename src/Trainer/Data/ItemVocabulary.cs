namespace OnDeviceReco.Trainer.Data;

/// <summary>External item ids ↔ dense indices 1..Count (0 is padding), with each item's genres and title.</summary>
public sealed class ItemVocabulary
{
    private readonly List<string> _ids = [""];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<int[]> _genres = [[]];
    private readonly List<string> _titles = [""];
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

    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>Adds an item (or returns the existing index); later metadata for the same id fills gaps only.</summary>
    public int Add(string id, string? title = null, IEnumerable<string>? genres = null)
    {
        if (!_index.TryGetValue(id, out int index))
        {
            index = _ids.Count;
            _ids.Add(id);
            _index.Add(id, index);
            _genres.Add([]);
            _titles.Add(id);
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
