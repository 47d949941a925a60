using System.Text;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Tests.Data;

/// <summary>Items added to a catalogue directory: read after the main file, written back exactly, and every bad row named by its line.</summary>
public sealed class CatalogueAdditionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("odr-additions-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Added => Path.Combine(_dir, CatalogueAdditions.FileName);

    [Fact]
    public void Appended_rows_read_back_with_quotes_commas_and_descriptions_after_the_main_file()
    {
        File.WriteAllText(Path.Combine(_dir, "movies.csv"), "movieId,title,genres\n1,Toy Story (1995),Animation|Children\n");
        CatalogueAdditions.Append(Added, [new CatalogueRow("g-1", "Raiders, \"Nebula\" edition", ["Space", "Shooter"], "Fly, shoot; win.")]);
        CatalogueAdditions.Append(Added, [new CatalogueRow("g-2", "Bakery Rush", [])]);
        var items = MovieLensSource.LoadCatalogue(_dir);
        Assert.Equal(3, items.Count);
        Assert.True(items.TryGetIndex("g-1", out int first));
        Assert.Equal("Raiders, \"Nebula\" edition", items.TitleOf(first));
        Assert.Equal(new[] { "Shooter", "Space" }, items.GenresOf(first).Select(g => items.GenreNames[g]).Order());
        Assert.Equal("Fly, shoot; win.", items.DescriptionOf(first));
        Assert.True(items.TryGetIndex("g-2", out int second));
        Assert.Null(items.DescriptionOf(second));
        Assert.Equal(3, File.ReadAllLines(Added).Length); // one header
    }

    [Theory]
    [InlineData("movieId,title,genres\nx,X,\nx,Y,\n", "line 3 (id 'x'): the id is already on line 2")]
    [InlineData("movieId,title,genres\nx,,\n", "line 2 (id 'x'): the title is empty")]
    [InlineData("movieId,genres\nx,\n", "line 1: the header has no 'title' column")]
    [InlineData("movieId,title,genres\nx,X,Space||Shooter\n", "line 2 (id 'x'): a category is empty")]
    public void A_bad_row_is_named_by_its_line(string text, string message)
    {
        File.WriteAllText(Added, text);
        var e = Assert.Throws<DataFormatException>(() => CatalogueAdditions.Read(Added));
        Assert.Contains($"{CatalogueAdditions.FileName} {message}", e.Message);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_named_by_its_line_and_an_id_of_the_main_file_is_refused()
    {
        byte[] bytes = [.. "movieId,title,genres\nok,Fine,\nbad,Caf"u8, 0xE9, .. ",\n"u8];
        File.WriteAllBytes(Added, bytes);
        Assert.Contains("line 3: the text is not valid UTF-8", Assert.Throws<DataFormatException>(() => CatalogueAdditions.Read(Added)).Message);

        File.WriteAllText(Path.Combine(_dir, "movies.csv"), "movieId,title,genres\n1,Toy Story (1995),Animation\n");
        File.WriteAllText(Added, "movieId,title,genres\n1,Again,\n");
        Assert.Contains("id '1' is already in the catalogue's main file", Assert.Throws<DataFormatException>(() => MovieLensSource.LoadCatalogue(_dir)).Message);
    }

    [Fact]
    public void A_row_too_long_for_a_bundle_or_with_a_line_break_is_a_problem()
    {
        Assert.Null(CatalogueAdditions.Problem(new CatalogueRow("a", "A", ["C"], "Fine.")));
        Assert.Contains("longer than 1024", CatalogueAdditions.Problem(new CatalogueRow("a", new string('x', 1025), []))!);
        Assert.Contains("line break", CatalogueAdditions.Problem(new CatalogueRow("a", "A", [], "one\ntwo"))!);
        Assert.Contains("longer than 4096", CatalogueAdditions.Problem(new CatalogueRow("a", "A", [], new string('é', 2049)))!);
        Assert.Contains("not valid text", CatalogueAdditions.Problem(new CatalogueRow("a", "Half \ud800", []))!);
        Assert.Contains("comma", CatalogueAdditions.Problem(new CatalogueRow("a,b", "A", []))!);
        Assert.Equal(CatalogueAdditions.MaxDescriptionBytes, Encoding.UTF8.GetByteCount(new string('é', 2048)));
    }
}
