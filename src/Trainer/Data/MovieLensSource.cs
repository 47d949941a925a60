using nietras.SeparatedValues;

namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Reads a MovieLens directory in any of its three layouts: latest (ratings.csv + movies.csv), ml-100k
/// (u.data + u.item) and ml-1m (ratings.dat + movies.dat). Every rating is an interaction.
/// </summary>
public sealed class MovieLensSource(string directory) : IInteractionSource
{
    private readonly record struct Rating(string User, string Item, long Time);

    public InteractionData Load()
    {
        if (!Directory.Exists(directory))
        {
            throw new DataFormatException($"Data directory '{directory}' does not exist.");
        }
        var items = LoadCatalogue(directory);
        List<Rating> ratings;
        if (File.Exists(Path.Combine(directory, "ratings.csv")))
        {
            ratings = ReadLatestRatings(Path.Combine(directory, "ratings.csv"));
        }
        else if (File.Exists(Path.Combine(directory, "u.data")))
        {
            ratings = ReadDelimitedRatings(Path.Combine(directory, "u.data"), "\t");
        }
        else if (File.Exists(Path.Combine(directory, "ratings.dat")))
        {
            ratings = ReadDelimitedRatings(Path.Combine(directory, "ratings.dat"), "::");
        }
        else
        {
            throw new DataFormatException($"'{directory}' holds no ratings.csv, u.data or ratings.dat.");
        }
        if (ratings.Count == 0)
        {
            throw new DataFormatException($"'{directory}' holds no ratings.");
        }
        return Build(Path.GetFileName(Path.GetFullPath(directory).TrimEnd('/')), ratings, items);
    }

    /// <summary>
    /// The item catalogue alone (titles and genres) from whichever layout <paramref name="directory"/> has, then the
    /// items added since (<see cref="CatalogueAdditions"/>); empty when it has neither. The server uses it to give items synced from devices their content features.
    /// </summary>
    public static ItemVocabulary LoadCatalogue(string directory)
    {
        var items = new ItemVocabulary();
        if (File.Exists(Path.Combine(directory, "movies.csv")))
        {
            ReadLatestMovies(Path.Combine(directory, "movies.csv"), items);
        }
        else if (File.Exists(Path.Combine(directory, "u.item")))
        {
            ReadDelimitedMovies(Path.Combine(directory, "u.item"), '|', items, genreFlags: true);
        }
        else if (File.Exists(Path.Combine(directory, "movies.dat")))
        {
            ReadDelimitedMovies(Path.Combine(directory, "movies.dat"), null, items, genreFlags: false);
        }
        foreach (var row in CatalogueAdditions.Read(Path.Combine(directory, CatalogueAdditions.FileName)))
        {
            if (items.TryGetIndex(row.Id, out _))
            {
                throw new DataFormatException($"{CatalogueAdditions.FileName}: id '{row.Id}' is already in the catalogue's main file.");
            }
            items.Add(row.Id, row.Title, row.Categories, row.Description);
        }
        return items;
    }

    private static InteractionData Build(string name, List<Rating> ratings, ItemVocabulary items)
    {
        var users = new List<string>();
        var sequences = new List<int[]>();
        var sameTime = new List<bool[]>();
        var times = new List<long[]>();
        // Stable sort: ties in time keep file order, which is how the dataset lists them (and marked as ties).
        foreach (var group in ratings.GroupBy(r => r.User, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(r => r.Time).ToArray();
            users.Add(group.Key);
            sequences.Add(ordered.Select(r => items.Add(r.Item)).ToArray());
            sameTime.Add(ordered.Select((r, i) => i > 0 && ordered[i - 1].Time == r.Time).ToArray());
            times.Add(ordered.Select(r => r.Time).ToArray());
        }
        return new InteractionData(name, users, sequences, items, sameTime: sameTime, times: times);
    }

    private static List<Rating> ReadLatestRatings(string path)
    {
        var ratings = new List<Rating>();
        using var reader = OpenCsv(path);
        foreach (var row in reader)
        {
            int line = row.LineNumberFrom;
            ratings.Add(new Rating(
                Field(row, "userId", path, line),
                Field(row, "movieId", path, line),
                ParseLong(Field(row, "timestamp", path, line), path, line)));
            _ = ParseDouble(Field(row, "rating", path, line), path, line);
        }
        return ratings;
    }

    private static void ReadLatestMovies(string path, ItemVocabulary items)
    {
        if (!File.Exists(path))
        {
            return; // Genres are optional: without them content features are empty.
        }
        using var reader = OpenCsv(path);
        // Optional: a catalogue may describe its items; the text encoder reads it after the title and categories.
        bool described = reader.Header.ColNames.Contains("description");
        foreach (var row in reader)
        {
            int line = row.LineNumberFrom;
            string genres = Field(row, "genres", path, line);
            items.Add(Field(row, "movieId", path, line), Field(row, "title", path, line),
                genres == "(no genres listed)" ? [] : genres.Split('|'),
                described ? row["description"].ToString() : null);
        }
    }

    private static SepReader OpenCsv(string path)
    {
        try
        {
            return Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        }
        catch (Exception e) when (e is not DataFormatException)
        {
            throw new DataFormatException($"{path}: cannot read the header: {e.Message}");
        }
    }

    private static string Field(SepReader.Row row, string column, string path, int line)
    {
        string value;
        try
        {
            value = row[column].ToString();
        }
        catch (KeyNotFoundException)
        {
            throw new DataFormatException($"{path}: missing column '{column}'.");
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            throw new DataFormatException($"{path}:{line}: row has too few fields for '{column}'.");
        }
        if (value.Length == 0)
        {
            throw new DataFormatException($"{path}:{line}: empty '{column}'.");
        }
        return value;
    }

    private static List<Rating> ReadDelimitedRatings(string path, string separator)
    {
        var ratings = new List<Rating>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            var parts = text.Split(separator);
            if (parts.Length < 4)
            {
                throw new DataFormatException($"{path}:{line}: expected user, item, rating, timestamp.");
            }
            _ = ParseDouble(parts[2], path, line);
            ratings.Add(new Rating(parts[0], parts[1], ParseLong(parts[3], path, line)));
        }
        return ratings;
    }

    private static void ReadDelimitedMovies(string path, char? separator, ItemVocabulary items, bool genreFlags)
    {
        if (!File.Exists(path))
        {
            return;
        }
        // ml-100k u.item: id|title|date|video date|url|19 genre flags; ml-1m movies.dat: id::title::Genre|Genre.
        string[] genres100k = ["unknown", "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
            "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"];
        foreach (var text in File.ReadLines(path, System.Text.Encoding.Latin1))
        {
            if (text.Length == 0)
            {
                continue;
            }
            if (genreFlags)
            {
                var parts = text.Split(separator!.Value);
                var flags = parts.Skip(parts.Length - genres100k.Length).ToArray();
                items.Add(parts[0], parts[1], genres100k.Where((_, i) => i < flags.Length && flags[i] == "1"));
            }
            else
            {
                var parts = text.Split("::");
                items.Add(parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2].Split('|') : null);
            }
        }
    }

    private static long ParseLong(string text, string path, int line) =>
        long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new DataFormatException($"{path}:{line}: '{text}' is not an integer timestamp.");

    private static double ParseDouble(string text, string path, int line) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new DataFormatException($"{path}:{line}: '{text}' is not a number.");
}
