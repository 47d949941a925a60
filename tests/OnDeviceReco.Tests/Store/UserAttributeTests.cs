using OnDeviceReco.Storage;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

/// <summary>User attributes in a real store file: bounds, consent, erasure, migration from the schema before them.</summary>
public sealed class UserAttributeTests
{
    [Fact]
    public void Attributes_are_set_replaced_read_back_and_removed_and_survive_a_restart()
    {
        using var dir = new TempDirectory();
        var options = new StoreOptions { DatabasePath = dir.Database };
        using (var store = new BehaviorStore(options))
        {
            Assert.Equal(TrackOutcome.Accepted, store.SetUserAttribute("u", "platform", "android"));
            Assert.Equal(TrackOutcome.Accepted, store.SetUserAttribute("u", "platform", "ios"));
            store.SetUserAttribute("u", "locale", "de-AT");
            store.SetUserAttribute("other", "locale", "fr");
            Assert.True(store.RemoveUserAttribute("u", "locale"));
            Assert.False(store.RemoveUserAttribute("u", "locale"));
            Assert.False(store.RemoveUserAttribute("nobody", "x"));
        }
        using var reopened = new BehaviorStore(options);
        Assert.Equal(new Dictionary<string, string> { ["platform"] = "ios" }, reopened.GetUserAttributes("u"));
        Assert.Equal(new Dictionary<string, string> { ["locale"] = "fr" }, reopened.GetUserAttributes("other"));
        Assert.Empty(reopened.GetUserAttributes("nobody"));
        // The removal waits to be synced (the server must forget the value too); the replaced value is one change.
        Assert.Equal(3, reopened.UnsyncedAttributeChanges);
    }

    [Fact]
    public void A_server_ahead_of_the_counter_has_every_attribute_numbered_anew_above_it_and_local_only_ones_stay_local()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.SetConsent(ConsentState.LocalOnly);
        store.SetUserAttribute("u", "age_band", "25-34");                      // change 1, never to be synced
        store.SetConsent(ConsentState.Granted);
        store.SetUserAttribute("u", "platform", "ios");                        // change 2
        store.SetUserAttribute("v", "locale", "de");                           // change 3
        store.MarkAttributesSynced(store.GetUnsyncedAttributeChanges(10));

        Assert.Equal(0, store.CatchUpAttributeNumbers(3));                     // the server is not ahead: nothing to do
        Assert.Equal(0, store.UnsyncedAttributeChanges);
        Assert.Equal(3, store.CatchUpAttributeNumbers(100));                   // a restored backup: the server holds 100

        var pending = store.GetUnsyncedAttributeChanges(10);
        Assert.Equal([(102L, "platform", "ios"), (103L, "locale", "de")], pending.Select(c => (c.Sequence, c.Key, c.Value!)));
        store.SetUserAttribute("u", "platform", "web");
        Assert.Equal(104, store.GetUnsyncedAttributeChanges(10).Single(c => c.Key == "platform").Sequence);
        Assert.Equal(0, store.CatchUpAttributeNumbers(104));
        Assert.Equal(new Dictionary<string, string> { ["age_band"] = "25-34", ["platform"] = "web" }, store.GetUserAttributes("u"));
    }

    public static TheoryData<string, InvalidInputReason> BadAttributes => new()
    {
        { "null key", InvalidInputReason.Null },
        { "empty value", InvalidInputReason.Empty },
        { "blank key", InvalidInputReason.Empty },
        { "zero-width value", InvalidInputReason.Empty },
        { "key of 65 bytes", InvalidInputReason.TooLong },
        { "value of 129 bytes", InvalidInputReason.TooLong },
        { "newline in value", InvalidInputReason.InvalidText },
        { "DEL in key", InvalidInputReason.InvalidText },
        { "unpaired surrogate", InvalidInputReason.InvalidText },
        { "user id of 257 bytes", InvalidInputReason.TooLong },
    };

    [Theory]
    [MemberData(nameof(BadAttributes))]
    public void An_invalid_attribute_is_refused_with_its_reason_and_nothing_is_written(string what, InvalidInputReason reason)
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        var error = Assert.Throws<InvalidEventException>(() => _ = what switch
        {
            "null key" => store.SetUserAttribute("u", null!, "v"),
            "empty value" => store.SetUserAttribute("u", "k", ""),
            "blank key" => store.SetUserAttribute("u", " \u00A0 ", "v"),
            "zero-width value" => store.SetUserAttribute("u", "k", "\u200B"),
            "key of 65 bytes" => store.SetUserAttribute("u", new string('k', 65), "v"),
            "value of 129 bytes" => store.SetUserAttribute("u", "k", new string('é', 65)),
            "newline in value" => store.SetUserAttribute("u", "k", "a\nb"),
            "DEL in key" => store.SetUserAttribute("u", "k\u007F", "v"),
            "unpaired surrogate" => store.SetUserAttribute("u", "k", "\uD800x"),
            "user id of 257 bytes" => store.SetUserAttribute(new string('u', 257), "k", "v"),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        });
        Assert.Equal(reason, error.Reason);
        Assert.Equal(0, RawDatabase.Scalar(dir.Database, "SELECT count(*) FROM user_attributes"));
    }

    [Fact]
    public void A_user_holds_at_most_32_attributes_and_replacing_one_still_works_at_the_limit()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        for (int i = 0; i < InputLimits.MaxUserAttributes; i++)
        {
            store.SetUserAttribute("u", $"key-{i}", "v");
        }

        var error = Assert.Throws<InvalidEventException>(() => store.SetUserAttribute("u", "one-too-many", "v"));

        Assert.Equal(InvalidInputReason.TooManyEntries, error.Reason);
        Assert.Equal(TrackOutcome.Accepted, store.SetUserAttribute("u", "key-0", "changed"));
        Assert.True(store.RemoveUserAttribute("u", "key-1"));
        Assert.Equal(TrackOutcome.Accepted, store.SetUserAttribute("u", "now-it-fits", "v"));
        Assert.Equal(InputLimits.MaxUserAttributes, store.GetUserAttributes("u").Count);
    }

    [Fact]
    public void Revoked_consent_records_no_attribute_and_local_only_ones_never_wait_for_sync()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.SetUserAttribute("u", "before", "pending");
        store.SetConsent(ConsentState.LocalOnly);
        store.SetUserAttribute("u", "during", "local");
        Assert.Equal(0, store.UnsyncedAttributeChanges); // the pending one became local-only with the consent change too

        store.SetConsent(ConsentState.Revoked);
        Assert.Equal(TrackOutcome.ConsentRevoked, store.SetUserAttribute("u", "after", "x"));

        Assert.Equal(["before", "during"], store.GetUserAttributes("u").Keys.Order());
        Assert.Equal(1, store.Statistics.DroppedNoConsent);
        Assert.Equal(0, store.UnsyncedAttributeChanges);
        // A local-only attribute removed is simply gone: the server never had it.
        Assert.True(store.RemoveUserAttribute("u", "during"));
        Assert.Equal(1, RawDatabase.Scalar(dir.Database, "SELECT count(*) FROM user_attributes"));
    }

    [Fact]
    public void Erase_all_data_deletes_every_attribute()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.SetUserAttribute("u", "platform", "ios");

        store.EraseAllData();

        Assert.Empty(store.GetUserAttributes("u"));
        Assert.Equal(0, store.UnsyncedAttributeChanges);
        Assert.Equal(0, RawDatabase.Scalar(dir.Database, "SELECT count(*) FROM user_attributes"));
    }

    [Fact]
    public void A_version_2_database_gains_the_attribute_table_and_keeps_its_events()
    {
        using var dir = new TempDirectory();
        // Built exactly as the SDK before attributes did: migrations 1 and 2 only.
        using (var old = SqliteDatabase.Open(dir.Database))
        {
            old.Execute(StoreSchema.MigrationSql(1));
            old.Execute(StoreSchema.MigrationSql(2));
            old.Execute("PRAGMA user_version = 2");
            old.Execute("INSERT INTO events(ts_ms, user_id, item_id, type, value) VALUES (1700000000000, 'u', 'a', 3, 0)");
        }

        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, MaxAge = TimeSpan.FromDays(36_500) });

        Assert.Equal(2, store.Health.MigratedFromVersion);
        Assert.Equal(StoreSchema.CurrentVersion, RawDatabase.Scalar(dir.Database, "PRAGMA user_version"));
        Assert.Equal(["a"], store.GetRecentSequence("u").Select(r => r.ItemId));
        store.SetUserAttribute("u", "platform", "ios");
        Assert.Equal("ios", store.GetUserAttributes("u")["platform"]);
    }

    [Fact]
    public void Searches_never_count_as_items_and_store_visits_do()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.Track("u", "racing games", EventType.Search);
        store.Track("u", "game-7", EventType.StoreVisit);
        store.Flush();

        Assert.Equal(["game-7"], store.GetInteractedItems("u"));
        Assert.Equal(["game-7"], store.GetPopularItems(TimeSpan.FromDays(1), 10).Select(p => p.ItemId));
        Assert.Equal(["racing games"], store.GetRecentSearches("u", 16));
    }
}
