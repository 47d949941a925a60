using OnDeviceReco.Storage;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class MigrationTests
{
    [Fact]
    public void A_version_1_database_is_migrated_forward_with_its_rows()
    {
        using var dir = new TempDirectory();
        // Build the file exactly as the first SDK did.
        using (var old = SqliteDatabase.Open(dir.Database))
        {
            old.Execute(StoreSchema.MigrationSql(1));
            old.Execute("PRAGMA user_version = 1");
            old.Execute("INSERT INTO events(ts_ms, user_id, item_id, type, value) VALUES (1700000000000, 'u', 'a', 3, 0), (1700000001000, 'u', 'b', 5, 4.5)");
            old.Execute("INSERT INTO kv(key, value) VALUES ('consent', '1')");
        }

        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database, MaxAge = TimeSpan.FromDays(36_500) });
        Assert.Equal(StoreOpenState.Opened, store.Health.OpenState);
        Assert.Equal(1, store.Health.MigratedFromVersion);
        Assert.Equal(ConsentState.Granted, store.Consent);
        Assert.Equal(["a", "b"], store.GetRecentSequence("u").Select(r => r.ItemId));
        store.Track("u", "c", EventType.View);
        store.Flush();
        Assert.Equal(3, store.GetEvents().Count);
        Assert.Equal(StoreSchema.CurrentVersion, RawDatabase.Scalar(dir.Database, "PRAGMA user_version"));
        Assert.Equal(3, RawDatabase.Scalar(dir.Database, "SELECT COUNT(*) FROM events WHERE sync_state = 0"));
    }

    [Fact]
    public void A_database_from_a_newer_sdk_is_refused_and_left_untouched()
    {
        using var dir = new TempDirectory();
        using (new BehaviorStore(new StoreOptions { DatabasePath = dir.Database }))
        {
        }
        RawDatabase.Execute(dir.Database, "PRAGMA user_version = 99");
        var error = Assert.Throws<BehaviorStoreException>(() => new BehaviorStore(new StoreOptions { DatabasePath = dir.Database }));
        Assert.Equal(StoreErrorKind.SchemaTooNew, error.Kind);
        Assert.Equal(99, RawDatabase.Scalar(dir.Database, "PRAGMA user_version"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.corrupt-*"));
    }
}
