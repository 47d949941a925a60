using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Tests;

public sealed class MovieLensSourceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-movielens", Guid.NewGuid().ToString("N"));

    public MovieLensSourceTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_the_ml_100k_layout_in_time_order_with_genres()
    {
        File.WriteAllText(Path.Combine(_dir, "u.data"), "1\t20\t4\t300\n1\t10\t5\t100\n2\t10\t3\t50\n");
        File.WriteAllText(Path.Combine(_dir, "u.item"), "10|Ten (1995)|01-Jan-1995||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n20|Twenty (1996)|01-Jan-1996||http://x|0|0|0|0|0|1|0|0|1|0|0|0|0|0|0|0|0|0|0\n");
        var data = new MovieLensSource(_dir).Load();
        Assert.Equal(["1", "2"], data.UserIds);
        Assert.Equal(["10", "20"], data.Sequences[0].Select(data.Items.IdOf));
        Assert.Equal(["Action"], data.Items.GenresOf(data.Sequences[0][0]).Select(g => data.Items.GenreNames[g]));
        Assert.Equal(["Comedy", "Drama"], data.Items.GenresOf(data.Sequences[0][1]).Select(g => data.Items.GenreNames[g]));
    }

    [Fact]
    public void Reads_the_ml_1m_layout()
    {
        File.WriteAllText(Path.Combine(_dir, "ratings.dat"), "1::1193::5::978300760\n1::661::3::978302109\n");
        File.WriteAllText(Path.Combine(_dir, "movies.dat"), "1193::One Flew (1975)::Drama\n661::James (1996)::Animation|Children's|Musical\n");
        var data = new MovieLensSource(_dir).Load();
        Assert.Equal(["1193", "661"], data.Sequences[0].Select(data.Items.IdOf));
        Assert.Equal("James (1996)", data.Items.TitleOf(data.Sequences[0][1]));
    }

    [Fact]
    public void A_short_delimited_row_names_file_and_line()
    {
        File.WriteAllText(Path.Combine(_dir, "ratings.dat"), "1::1193::5::978300760\n1::661\n");
        var error = Assert.Throws<DataFormatException>(() => new MovieLensSource(_dir).Load());
        Assert.Contains("ratings.dat:2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_ratings_is_refused()
    {
        var error = Assert.Throws<DataFormatException>(() => new MovieLensSource(_dir).Load());
        Assert.Contains("no ratings.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_an_optional_description_column_in_the_latest_layout()
    {
        File.WriteAllText(Path.Combine(_dir, "ratings.csv"), "userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,3.0,200\n");
        File.WriteAllText(Path.Combine(_dir, "movies.csv"),
            "movieId,title,genres,description\n10,Ten (1995),Action,\"A heist, told backwards.\"\n20,Twenty (1996),Comedy,\n");
        var data = new MovieLensSource(_dir).Load();
        Assert.True(data.Items.TryGetIndex("10", out int ten));
        Assert.True(data.Items.TryGetIndex("20", out int twenty));
        Assert.Equal("A heist, told backwards.", data.Items.DescriptionOf(ten));
        Assert.Null(data.Items.DescriptionOf(twenty));
        Assert.Equal([100L, 200L], data.Times![0]);
    }
}
