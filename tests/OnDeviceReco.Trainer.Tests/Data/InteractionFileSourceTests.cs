using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Tests.Data;

/// <summary>Plain interactions files as a studio exports them: real files on disk, each bad row named by file and line.</summary>
public sealed class InteractionFileSourceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-interactions", Guid.NewGuid().ToString("N"));

    public InteractionFileSourceTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Items(InteractionData data, string user) =>
        data.Sequences[data.UserIds.ToList().IndexOf(user)].Select(data.Items.IdOf).ToArray();

    [Fact]
    public void Csv_with_a_header_in_any_column_order_is_read_by_name_and_ordered_by_time()
    {
        string path = Write("log.csv", "timestamp,item_id,user_id,value\n30,c,u1,1\n10,a,u1,4.5\n20,b,u1,\n5,a,u2,2\n");
        var data = DataSources.Open(path).Load();
        Assert.Equal(["a", "b", "c"], Items(data, "u1"));
        Assert.Equal(["a"], Items(data, "u2"));
        Assert.Equal(3, data.Items.Count);
    }

    [Fact]
    public void Tsv_without_a_header_is_positional_and_types_decide_what_counts()
    {
        string path = Write("log.tsv", "u1\ti1\t100\tview\n u1 \ti2\t101\timpression\nu1\ti3\t102\tdismiss\nu1\ti3\t103\t2\t1\nu1\ti3\t104\tPurchase\t9.99\n");
        var data = DataSources.Open(path).Load();
        // Impressions and dismissals are not interest; a click then a purchase of one item is one interaction.
        Assert.Equal(["i1", "i3"], Items(data, "u1"));
        Assert.Equal("log", data.Name);
    }

    [Fact]
    public void Quoted_fields_keep_their_separators_and_iso_timestamps_order_events()
    {
        string path = Write("quoted.csv",
            "user,item,time\n\"u,1\",\"Item, the first\",2024-03-01T10:00:00Z\n\"u,1\",\"say \"\"hi\"\"\",2024-02-01T10:00:00Z\n");
        var data = DataSources.Open(path).Load();
        Assert.Equal(["say \"hi\"", "Item, the first"], Items(data, "u,1"));
    }

    [Theory]
    [InlineData("u1,i1,10\nu1,i2\n", 2, "missing column 'timestamp'")]
    [InlineData("user,item,timestamp\nu1,i1,10\nu1,i2,yesterday\n", 3, "'yesterday' is not a timestamp")]
    [InlineData("u1,i1,10,rate,4\nu1,i2,11,rate,NaN\n", 2, "value 'NaN' is not a finite number")]
    [InlineData("u1,i1,10,rate,4\nu1,i2,11,rate,Infinity\n", 2, "value 'Infinity' is not a finite number")]
    [InlineData("u1,i1,10,rate\nu1,i2,11,wishlist\n", 2, "unknown event type 'wishlist'")]
    [InlineData("u1,i1,10,11\n", 1, "unknown event type '11'")]
    [InlineData("u1,i1,10\n  ,i2,11\n", 2, "blank user id")]
    [InlineData("u1,i1,10\nu1,\"\",11\n", 2, "blank item id")]
    [InlineData("u1,i1,10\nu1,i2,2024-01-01T00:00:00Z\n", 2, "mixes integer and ISO 8601 timestamps")]
    [InlineData("user,item,rating\nu1,i1,4\n", 1, "no 'timestamp' column")]
    public void A_bad_row_names_the_file_and_line(string text, int line, string message)
    {
        string path = Write("bad.csv", text);
        var error = Assert.Throws<DataFormatException>(() => DataSources.Open(path).Load());
        Assert.Contains($"{path}:{line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_an_empty_file_is_an_error()
    {
        var data = DataSources.Open(Write("gaps.tsv", "u1\ti1\t1\n\nu1\ti2\t2\n")).Load();
        Assert.Equal(["i1", "i2"], Items(data, "u1"));
        string empty = Write("empty.csv", "user,item,timestamp\n");
        Assert.Contains("holds no interactions", Assert.Throws<DataFormatException>(() => DataSources.Open(empty).Load()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_neither_file_nor_directory_nor_store_is_named()
    {
        string missing = Path.Combine(_dir, "nope.csv");
        Assert.Contains(missing, Assert.Throws<DataFormatException>(() => DataSources.Open(missing)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<DataFormatException>(() => DataSources.Open("sqlite:" + missing)).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing), "opening a missing store must not create one");
    }
}
