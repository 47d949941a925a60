using OnDeviceReco.Storage;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

/// <summary>A store that fails to open after its file was opened reports a store error, not a wrapped task fault.</summary>
public sealed class OpenFailureTests
{
    [Fact]
    public void A_store_another_connection_keeps_locked_fails_with_an_io_error_and_can_be_opened_afterwards()
    {
        using var dir = new TempDirectory();
        new BehaviorStore(new StoreOptions { DatabasePath = dir.Database }).Dispose();
        using (var holder = SqliteDatabase.Open(dir.Database))
        {
            holder.Execute("BEGIN IMMEDIATE");
            // The start-up write waits out the busy timeout (5 s), then fails with SQLITE_BUSY.
            var e = Assert.Throws<BehaviorStoreException>(() => new BehaviorStore(new StoreOptions { DatabasePath = dir.Database }));
            Assert.Equal(StoreErrorKind.Io, e.Kind);
            Assert.Contains("locked", e.Message, StringComparison.Ordinal);
            holder.Execute("ROLLBACK");
        }
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        Assert.Equal(StoreOpenState.Opened, store.Health.OpenState);
    }
}
