using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Tests.NativeAbi;

/// <summary>tests/native/abi_manifest.txt: what each ODR_ABI_VERSION added to the header (see the file's top).</summary>
internal sealed class AbiManifest
{
    private readonly List<(int Version, string Line)> _entries = [];

    private AbiManifest(IEnumerable<string> lines)
    {
        int version = 0;
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "version" when words.Length == 2 && int.Parse(words[1]) == version + 1:
                    version++;
                    break;
                case "function" or "type" when words.Length == 2 && version > 0:
                case "field" or "constant" when words.Length == 3 && version > 0:
                    _entries.Add((version, string.Join(' ', words)));
                    break;
                default:
                    throw new FormatException($"abi_manifest.txt: cannot read '{line}' (versions count up from 1, one section each).");
            }
        }
        Latest = version;
    }

    public static AbiManifest Load() => new(File.ReadAllLines(CHeader.RepositoryFile("tests/native/abi_manifest.txt")));

    /// <summary>The newest version listed: the header's ODR_ABI_VERSION must be this.</summary>
    public int Latest { get; }

    private IEnumerable<string[]> All(string kind) => _entries.Select(e => e.Line.Split(' ')).Where(w => w[0] == kind);

    public IReadOnlyList<string> Functions => All("function").Select(w => w[1]).ToList();

    public IReadOnlyList<string> Types => All("type").Select(w => w[1]).ToList();

    /// <summary>Each struct's fields in the order the versions appended them.</summary>
    public IReadOnlyDictionary<string, List<string>> Structs =>
        All("field").GroupBy(w => w[1]).ToDictionary(g => g.Key, g => g.Select(w => w[2]).ToList());

    public IReadOnlyDictionary<string, long> Constants => All("constant").ToDictionary(w => w[1], w => long.Parse(w[2]));

    /// <summary>A digest of one version's lines, in order: a released version's lines never change.</summary>
    public string Digest(int version) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', _entries.Where(e => e.Version == version).Select(e => e.Line)))))[..16];
}
