using System.Text.RegularExpressions;

namespace OnDeviceReco.Tests.NativeAbi;

/// <summary>
/// What include/ondevicereco.h declares, read from its text: exported functions, typedef'd types, struct fields in
/// order and numeric constants. Only as much C as the header uses (one declaration per statement, no macros in
/// declarations, each exported function's declaration starting its line with ODR_API): anything this cannot read
/// fails the tests loudly.
/// </summary>
internal sealed partial class CHeader
{
    public CHeader(string text)
    {
        Text = text;
        Prose = Spaces().Replace(CommentContinuation().Replace(text, " "), " ");
        string code = Comment().Replace(text, " ");
        Functions = Function().Matches(code).Select(m => m.Groups["name"].Value).ToList();
        Types = OpaqueType().Matches(code).Select(m => m.Groups["name"].Value)
            .Concat(CallbackType().Matches(code).Select(m => m.Groups["name"].Value)).ToList();
        Structs = Struct().Matches(code).ToDictionary(
            m => m.Groups["name"].Value,
            m => m.Groups["body"].Value.Split(';').Select(d => d.Trim()).Where(d => d.Length > 0)
                .Select(d => FieldName().Match(d) is { Success: true } f ? f.Groups["name"].Value : throw new FormatException($"Cannot read the field '{d}'."))
                .ToList());
        Constants = Constant().Matches(code).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["value"].Value));
    }

    public static CHeader Load() => new(File.ReadAllText(RepositoryFile("src/NativeExports/include/ondevicereco.h")));

    /// <summary>The header as written, comments included.</summary>
    public string Text { get; }

    /// <summary>The header with each comment's line breaks and leading " * " folded into single spaces, so that a phrase split across lines reads as one.</summary>
    public string Prose { get; }

    public IReadOnlyList<string> Functions { get; }

    public IReadOnlyList<string> Types { get; }

    public IReadOnlyDictionary<string, List<string>> Structs { get; }

    public IReadOnlyDictionary<string, long> Constants { get; }

    /// <summary>A file of this repository, found from the test's output directory upwards.</summary>
    public static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OnDeviceReco.sln")))
            {
                return Path.Combine(directory.FullName, relativePath);
            }
        }
        throw new DirectoryNotFoundException($"No OnDeviceReco.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\s*\n\s*\*(?!/)\s*")]
    private static partial Regex CommentContinuation();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^ODR_API\b[^;(]*?\b(?<name>\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex Function();

    [GeneratedRegex(@"\btypedef\s+struct\s+(?<name>\w+)\s+\k<name>\s*;")]
    private static partial Regex OpaqueType();

    [GeneratedRegex(@"\btypedef\b[^;{]*\(\s*\*\s*(?<name>\w+)\s*\)")]
    private static partial Regex CallbackType();

    [GeneratedRegex(@"\btypedef\s+struct\s+(?<name>\w+)\s*\{(?<body>[^}]*)\}\s*\k<name>\s*;")]
    private static partial Regex Struct();

    [GeneratedRegex(@"(?<name>\w+)\s*(\[[^\]]*\]\s*)*$")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"^\s*#\s*define\s+(?<name>ODR_\w+)\s+(?<value>-?\d+)\b", RegexOptions.Multiline)]
    private static partial Regex Constant();
}
