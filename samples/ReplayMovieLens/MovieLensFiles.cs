using nietras.SeparatedValues;

namespace ReplayMovieLens;

internal sealed record Rating(string UserId, string MovieId, double Stars, DateTimeOffset Time);

internal sealed record Movie(string MovieId, string Title, string[] Genres);

/// <summary>Reads the MovieLens CSV layout (ratings.csv, movies.csv).</summary>
internal static class MovieLensFiles
{
    /// <summary>The repo's copy of the data: data/movielens-small, found from the working directory upwards.</summary>
    public static string FindDefaultDirectory()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "movielens-small");
            if (File.Exists(Path.Combine(candidate, "ratings.csv")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("data/movielens-small not found above the working directory; pass --data DIR.");
    }

    public static List<Rating> ReadRatings(string directory)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(directory, "ratings.csv"));
        var ratings = new List<Rating>();
        foreach (var row in reader)
        {
            ratings.Add(new Rating(
                row["userId"].ToString(),
                row["movieId"].ToString(),
                row["rating"].Parse<double>(),
                DateTimeOffset.FromUnixTimeSeconds(row["timestamp"].Parse<long>())));
        }
        return ratings;
    }

    public static Dictionary<string, Movie> ReadMovies(string directory)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(directory, "movies.csv"));
        var movies = new Dictionary<string, Movie>(StringComparer.Ordinal);
        foreach (var row in reader)
        {
            string genres = row["genres"].ToString();
            var movie = new Movie(row["movieId"].ToString(), row["title"].ToString(),
                genres == "(no genres listed)" ? [] : genres.Split('|'));
            movies[movie.MovieId] = movie;
        }
        return movies;
    }
}
