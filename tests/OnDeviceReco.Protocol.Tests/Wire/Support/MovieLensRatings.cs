using System.Globalization;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>movielens-small's ratings.csv (userId,movieId,rating,timestamp in unix seconds), found above the test binaries.</summary>
internal static class MovieLensRatings
{
    public sealed record Rating(int UserId, int MovieId, double Value, long TimestampSeconds);

    /// <summary>The repo's data/movielens-small/ratings.csv, else ../shared/data/movielens-small/ratings.csv beside the repo; null if neither.</summary>
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "OnDeviceReco.sln")))
            {
                continue;
            }
            string[] candidates =
            [
                Path.Combine(dir.FullName, "data", "movielens-small", "ratings.csv"),
                Path.Combine(dir.FullName, "..", "shared", "data", "movielens-small", "ratings.csv"),
            ];
            return candidates.FirstOrDefault(File.Exists);
        }
        return null;
    }

    public static List<Rating> Read(string path)
    {
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine();
        Assert.Equal("userId,movieId,rating,timestamp", header);
        var ratings = new List<Rating>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0)
            {
                continue;
            }
            string[] f = line.Split(',');
            Assert.Equal(4, f.Length);
            ratings.Add(new Rating(
                int.Parse(f[0], CultureInfo.InvariantCulture),
                int.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture),
                long.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return ratings;
    }
}
