using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Trainer.Text;

/// <summary>
/// Sentence vectors kept in one file, keyed by the SHA-256 of the model name and the text, so retraining and catalogue
/// updates encode only items that are new or whose text changed, whatever dataset or directory they come from. The
/// file is a cache: one that is missing, truncated or of another format is ignored (and rewritten on save), never an
/// error. Format: "ODRTXT1\n", the dimension (int32), then per entry 32 hash bytes and the vector's floats.
/// </summary>
public sealed class TextVectorCache
{
    private static readonly byte[] Magic = "ODRTXT1\n"u8.ToArray();
    private readonly string _path;
    private readonly int _dimension;
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);
    private bool _dirty;

    public TextVectorCache(string path, int dimension = SentenceEncoder.Dimension)
    {
        _path = path;
        _dimension = dimension;
        Load();
    }

    /// <summary>The default place: one cache per machine user, shared by every dataset (keys are content hashes).</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "ondevicereco", "item-text-vectors.bin");

    public string FilePath => _path;

    public int Count => _vectors.Count;

    public static string Key(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(SentenceEncoder.ModelName + "\n" + text)));

    public bool TryGet(string text, out float[] vector) => _vectors.TryGetValue(Key(text), out vector!);

    public void Add(string text, float[] vector)
    {
        if (vector.Length != _dimension)
        {
            throw new ArgumentException($"Expected {_dimension} floats, got {vector.Length}.", nameof(vector));
        }
        _vectors[Key(text)] = vector;
        _dirty = true;
    }

    /// <summary>Writes the file when anything was added (to a temporary file first, then renamed over it).</summary>
    public void Save()
    {
        if (!_dirty)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        string temporary = _path + "." + Environment.ProcessId + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(Magic);
            writer.Write(_dimension);
            foreach (var (key, vector) in _vectors)
            {
                writer.Write(Convert.FromHexString(key));
                foreach (float value in vector)
                {
                    writer.Write(value);
                }
            }
        }
        File.Move(temporary, _path, overwrite: true);
        _dirty = false;
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }
        try
        {
            using var reader = new BinaryReader(File.OpenRead(_path));
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadInt32() != _dimension)
            {
                return;
            }
            int entry = 32 + _dimension * sizeof(float);
            while (reader.BaseStream.Length - reader.BaseStream.Position >= entry)
            {
                string key = Convert.ToHexString(reader.ReadBytes(32));
                var vector = new float[_dimension];
                for (int d = 0; d < _dimension; d++)
                {
                    vector[d] = reader.ReadSingle();
                }
                _vectors[key] = vector;
            }
        }
        catch (IOException)
        {
            _vectors.Clear(); // unreadable: start empty, the next save replaces it
        }
    }
}
