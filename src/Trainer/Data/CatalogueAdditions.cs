using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Trainer.Data;

/// <summary>One item an operator adds to the catalogue: id, title, categories and an optional description.</summary>
public sealed record CatalogueRow(string Id, string Title, IReadOnlyList<string> Categories, string? Description = null);

/// <summary>
/// Items added to a catalogue after it was first written: <see cref="FileName"/> in the catalogue directory, in the
/// movies.csv layout with a description column (<c>movieId,title,genres,description</c>, genres separated by <c>|</c>).
/// The server appends what its admin endpoint accepts, an operator may append rows by hand, and every reader of the
/// catalogue (<see cref="MovieLensSource.LoadCatalogue"/>) takes them in after the main file. Rows are read strictly —
/// valid UTF-8, every field as <see cref="Problem"/> requires, no id twice — and the first bad one is named by line.
/// </summary>
public static class CatalogueAdditions
{
    public const string FileName = "added-items.csv";

    /// <summary>Longest description kept, in UTF-8 bytes (the encoder reads 256 tokens of title, categories and description).</summary>
    public const int MaxDescriptionBytes = 4096;

    private const string Header = "movieId,title,genres,description";
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What is wrong with <paramref name="row"/> on its own, or null (duplicates are the caller's to find: they need the catalogue).</summary>
    public static string? Problem(CatalogueRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (string.IsNullOrWhiteSpace(row.Id))
        {
            return "the id is empty";
        }
        if (row.Id != row.Id.Trim() || row.Id.Contains(',', StringComparison.Ordinal) || row.Id.Contains('"', StringComparison.Ordinal))
        {
            return "the id has surrounding spaces, a comma or a quote";
        }
        if (string.IsNullOrWhiteSpace(row.Title))
        {
            return "the title is empty";
        }
        if (row.Categories is null || row.Categories.Any(c => string.IsNullOrWhiteSpace(c) || c.Contains('|', StringComparison.Ordinal) || c != c.Trim()))
        {
            return "a category is empty, has surrounding spaces or holds '|' (the separator)";
        }
        if (BundleItemRules.Check(new BundleItem(row.Id, row.Title, [.. row.Categories])) is { } problem)
        {
            return problem;
        }
        if (row.Title.Any(char.IsControl))
        {
            return "the title holds a line break or another control character";
        }
        if (row.Description is { } description
            && (!BundleItemRules.FitsIn(description, MaxDescriptionBytes) || description.Any(char.IsControl)))
        {
            return $"the description is longer than {MaxDescriptionBytes} UTF-8 bytes, not valid text, or holds a line break or another control character";
        }
        return null;
    }

    /// <summary>The rows of <paramref name="path"/>; none when the file does not exist.</summary>
    /// <exception cref="DataFormatException">The first bad row, by line: invalid UTF-8, a missing column, a bad field or an id listed twice.</exception>
    public static IReadOnlyList<CatalogueRow> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        string name = Path.GetFileName(path);
        byte[] bytes = File.ReadAllBytes(path);
        int bom = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        string text = DecodeStrictly(bytes[bom..], name);
        var rows = new List<CatalogueRow>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromText(text);
        foreach (string column in (string[])["movieId", "title", "genres"])
        {
            if (!reader.Header.ColNames.Contains(column))
            {
                throw new DataFormatException($"{name} line 1: the header has no '{column}' column (expected {Header}).");
            }
        }
        bool described = reader.Header.ColNames.Contains("description");
        foreach (var row in reader)
        {
            int line = row.LineNumberFrom;
            string genres = row["genres"].ToString();
            var item = new CatalogueRow(row["movieId"].ToString(), row["title"].ToString(),
                genres.Length == 0 || genres == "(no genres listed)" ? [] : genres.Split('|'),
                described && row["description"].ToString() is { Length: > 0 } d ? d : null);
            if (Problem(item) is { } problem)
            {
                throw new DataFormatException($"{name} line {line} (id '{item.Id}'): {problem}.");
            }
            if (!lines.TryAdd(item.Id, line))
            {
                throw new DataFormatException($"{name} line {line} (id '{item.Id}'): the id is already on line {lines[item.Id]}.");
            }
            rows.Add(item);
        }
        return rows;
    }

    /// <summary>Appends <paramref name="rows"/> (checked by the caller) to <paramref name="path"/>, writing the header first when the file is new.</summary>
    public static void Append(string path, IReadOnlyList<CatalogueRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            text.Append(Header).Append('\n');
        }
        foreach (var row in rows)
        {
            text.Append(Field(row.Id)).Append(',').Append(Field(row.Title)).Append(',')
                .Append(Field(string.Join('|', row.Categories))).Append(',').Append(Field(row.Description ?? "")).Append('\n');
        }
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Strict.GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string DecodeStrictly(byte[] bytes, string name)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Find the line to name: decode line by line until one fails.
            int line = 1, start = 0;
            for (int i = 0; i <= bytes.Length; i++)
            {
                if (i == bytes.Length || bytes[i] == (byte)'\n')
                {
                    try
                    {
                        Strict.GetString(bytes, start, i - start);
                    }
                    catch (DecoderFallbackException)
                    {
                        break;
                    }
                    line++;
                    start = i + 1;
                }
            }
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{name} line {line}: the text is not valid UTF-8."));
        }
    }
}
