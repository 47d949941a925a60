namespace OnDeviceReco.Tests.Export;

/// <summary>What each field choice makes of one event before it is encoded (what arrives on a server: Server.Tests' FieldChoiceTests).</summary>
public sealed class SyncedFieldsTests
{
    private static readonly DateTimeOffset Moment = new(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

    private static readonly BehaviorEvent Event = new(7, Moment, "alice", "game", EventType.Rate, 4.5, new Dictionary<string, string>
    {
        ["request_id"] = "r-1", ["arm"] = "exp/treatment", ["rank"] = "2", ["source"] = "Model", ["screen"] = "home",
    });

    [Theory]
    [InlineData(TimePrecision.Exact, "2026-03-14T15:09:26.535Z")]
    [InlineData(TimePrecision.Second, "2026-03-14T15:09:26.000Z")]
    [InlineData(TimePrecision.Minute, "2026-03-14T15:09:00.000Z")]
    [InlineData(TimePrecision.Hour, "2026-03-14T15:00:00.000Z")]
    [InlineData(TimePrecision.Day, "2026-03-14T00:00:00.000Z")]
    public void Times_are_rounded_down_to_the_chosen_unit(TimePrecision precision, string expected)
    {
        var wire = (SyncedFields.All with { Time = precision }).ToWire(Event);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), wire.TimestampMs);
    }

    [Fact]
    public void The_default_keeps_what_training_and_experiments_use_and_nothing_else()
    {
        var wire = SyncedFields.Minimal.ToWire(Event);
        Assert.Same(SyncedFields.Minimal, new SyncOptions { ServerUri = new Uri("http://127.0.0.1/"), ApiKey = "k" }.Fields);
        Assert.Equal((7L, "alice", "game", (int)EventType.Rate), (wire.Sequence, wire.UserId, wire.ItemId, wire.Type));
        Assert.Equal(0, wire.Value);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 15, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), wire.TimestampMs);
        Assert.Equal(["arm=exp/treatment", "request_id=r-1"], wire.Context.Select(p => $"{p.Key}={p.Value}").Order());
    }

    [Fact]
    public void Everything_or_nothing_of_the_context_and_the_value()
    {
        var all = SyncedFields.All.ToWire(Event);
        Assert.Equal(4.5, all.Value);
        Assert.Equal(Moment.ToUnixTimeMilliseconds(), all.TimestampMs);
        Assert.Equal(Event.Context.Select(p => $"{p.Key}={p.Value}").Order(), all.Context.Select(p => $"{p.Key}={p.Value}").Order());
        Assert.Empty((SyncedFields.All with { Context = SyncedContext.None }).ToWire(Event).Context);
    }

    [Fact]
    public void Unknown_choices_are_refused_when_the_client_is_made()
    {
        using var dir = new TempDirectory();
        var options = new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = dir.Database },
            Sync = new SyncOptions { ServerUri = new Uri("http://127.0.0.1:9/"), ApiKey = "k", Fields = new SyncedFields { Time = (TimePrecision)9 } },
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoClient(options));
        Assert.Throws<ArgumentNullException>(() => new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = dir.Database },
            Sync = new SyncOptions { ServerUri = new Uri("http://127.0.0.1:9/"), ApiKey = "k", Fields = null! },
        }));
    }
}
