using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class BadInputTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly BehaviorStore _store;

    public BadInputTests() =>
        _store = new BehaviorStore(new StoreOptions { DatabasePath = _dir.Database, TimeProvider = new ManualClock(Now) });

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    public static TheoryData<string, InvalidInputReason> BadEvents => new()
    {
        { "null user", InvalidInputReason.Null },
        { "empty user", InvalidInputReason.Empty },
        { "null item", InvalidInputReason.Null },
        { "empty item", InvalidInputReason.Empty },
        { "257-byte item", InvalidInputReason.TooLong },
        { "258 bytes of euro signs", InvalidInputReason.TooLong },
        { "NUL in item", InvalidInputReason.InvalidText },
        { "newline in user", InvalidInputReason.InvalidText },
        { "unpaired surrogate", InvalidInputReason.InvalidText },
        { "NaN value", InvalidInputReason.NotFinite },
        { "infinite value", InvalidInputReason.NotFinite },
        { "type 0", InvalidInputReason.UnknownEventType },
        { "type 11", InvalidInputReason.UnknownEventType },
        { "type 2000", InvalidInputReason.UnknownEventType },
        { "two days ahead", InvalidInputReason.TimestampOutOfRange },
        { "before 1970", InvalidInputReason.TimestampOutOfRange },
        { "17 context entries", InvalidInputReason.TooManyEntries },
        { "oversize context key", InvalidInputReason.TooLong },
        { "empty context value", InvalidInputReason.Empty },
    };

    private static void TrackBad(BehaviorStore store, string name)
    {
        _ = name switch
        {
            "null user" => store.Track(null!, "i", EventType.View),
            "empty user" => store.Track("", "i", EventType.View),
            "null item" => store.Track("u", null!, EventType.View),
            "empty item" => store.Track("u", "", EventType.View),
            "257-byte item" => store.Track("u", new string('x', 257), EventType.View),
            "258 bytes of euro signs" => store.Track("u", new string('€', 86), EventType.View),
            "NUL in item" => store.Track("u", "a\0b", EventType.View),
            "newline in user" => store.Track("u\n", "i", EventType.View),
            "unpaired surrogate" => store.Track("u", "a\ud800b", EventType.View),
            "NaN value" => store.Track("u", "i", EventType.Rate, double.NaN),
            "infinite value" => store.Track("u", "i", EventType.Dwell, double.PositiveInfinity),
            "type 0" => store.Track("u", "i", (EventType)0),
            "type 11" => store.Track("u", "i", (EventType)11),
            "type 2000" => store.Track("u", "i", (EventType)2000),
            "two days ahead" => store.Track("u", "i", EventType.View, timestamp: Now.AddDays(2)),
            "before 1970" => store.Track("u", "i", EventType.View, timestamp: DateTimeOffset.UnixEpoch.AddSeconds(-1)),
            "17 context entries" => store.Track("u", "i", EventType.View, context: Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", i => "v")),
            "oversize context key" => store.Track("u", "i", EventType.View, context: new Dictionary<string, string> { [new string('k', 65)] = "v" }),
            "empty context value" => store.Track("u", "i", EventType.View, context: new Dictionary<string, string> { ["k"] = "" }),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(BadEvents))]
    public void Bad_event_throws_a_specific_exception_and_writes_nothing(string name, InvalidInputReason reason)
    {
        var error = Assert.Throws<InvalidEventException>(() => TrackBad(_store, name));
        Assert.Equal(reason, error.Reason);
        Assert.False(string.IsNullOrEmpty(error.ParamName));
        _store.Flush();
        Assert.Empty(_store.GetEvents());
        Assert.Equal(0, _store.Statistics.Accepted);
    }

    [Fact]
    public void Limits_are_inclusive()
    {
        Assert.Equal(TrackOutcome.Accepted, _store.Track(new string('u', 256), new string('€', 85), EventTypes.AppDefined(999), -1e300,
            Now.AddHours(23), Enumerable.Range(0, 16).ToDictionary(i => new string('k', 62) + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), i => new string('v', 256))));
        Assert.Equal(TrackOutcome.Accepted, _store.Track("u", "emoji-😀", EventType.Rate, 4.5));
        _store.Flush();
        Assert.Equal(2, _store.GetEvents().Count);
        Assert.Equal(16, _store.GetEvents()[0].Context.Count);
    }

    [Fact]
    public void One_bad_item_in_a_batch_writes_none_of_them()
    {
        ItemMetadata[] items = [new("good", ["Action"]), new("bad", ["Act|ion"])];
        var error = Assert.Throws<InvalidEventException>(() => _store.UpsertItems(items));
        Assert.Equal(InvalidInputReason.InvalidText, error.Reason);
        Assert.Null(_store.GetItem("good"));
        Assert.Throws<InvalidEventException>(() => _store.UpsertItems([new ItemMetadata("x", Enumerable.Range(0, 33).Select(i => $"c{i}").ToList())]));
        Assert.Throws<InvalidEventException>(() => _store.UpsertItems([null!]));
    }

    [Fact]
    public void Bad_query_arguments_are_refused()
    {
        Assert.Throws<InvalidEventException>(() => _store.GetRecentSequence(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.GetRecentSequence("u", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.GetRecentSequence("u", 10_001));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.GetPopularItems(TimeSpan.Zero, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.GetPopularItems(TimeSpan.FromDays(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.SetConsent((ConsentState)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => EventTypes.AppDefined(1000));
    }

    [Fact]
    public void Bad_options_are_refused_before_any_file_is_touched()
    {
        Assert.Throws<ArgumentException>(() => new BehaviorStore(new StoreOptions { DatabasePath = " " }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BehaviorStore(new StoreOptions { DatabasePath = _dir.Database + "2", MaxRows = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BehaviorStore(new StoreOptions { DatabasePath = _dir.Database + "2", BatchSize = 0 }));
        Assert.False(File.Exists(_dir.Database + "2"));
        Assert.Throws<BehaviorStoreException>(() => new BehaviorStore(new StoreOptions { DatabasePath = Path.Combine(_dir.Path, "missing-dir", "x.db") }));
    }

    [Fact]
    public void A_disposed_store_refuses_calls()
    {
        _store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _store.Track("u", "i", EventType.View));
        Assert.Throws<ObjectDisposedException>(() => _store.Flush());
        Assert.Throws<ObjectDisposedException>(() => _store.GetEvents());
        _store.Dispose(); // idempotent
    }
}
