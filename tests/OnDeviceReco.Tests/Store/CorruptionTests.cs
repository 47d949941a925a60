using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

public sealed class CorruptionTests
{
    private static void AssertRecoveredAndUsable(TempDirectory dir, BehaviorStore store)
    {
        Assert.Equal(StoreOpenState.RecoveredFromCorruption, store.Health.OpenState);
        Assert.False(string.IsNullOrEmpty(store.Health.RecoveryReason));
        Assert.True(File.Exists(store.Health.MovedAsidePath), "the damaged file is kept for diagnosis");
        Assert.StartsWith(dir.Database + ".corrupt-", store.Health.MovedAsidePath, StringComparison.Ordinal);
        store.Track("u", "after-recovery", EventType.View);
        store.Flush();
        Assert.Equal("after-recovery", Assert.Single(store.GetEvents()).ItemId);
    }

    private static void FillAndClose(TempDirectory dir, int events)
    {
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        for (int i = 0; i < events; i++)
        {
            store.Track($"user-{i % 10}", $"item-{i}", EventType.View);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_moved_aside()
    {
        using var dir = new TempDirectory();
        var garbage = new byte[8192];
        new Random(1).NextBytes(garbage);
        File.WriteAllBytes(dir.Database, garbage);
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        AssertRecoveredAndUsable(dir, store);
        Assert.Equal(garbage, File.ReadAllBytes(store.Health.MovedAsidePath!));
    }

    [Fact]
    public void A_truncated_database_is_detected_and_replaced()
    {
        using var dir = new TempDirectory();
        FillAndClose(dir, 20_000);
        long length = new FileInfo(dir.Database).Length;
        using (var stream = new FileStream(dir.Database, FileMode.Open))
        {
            stream.SetLength(length / 2);
        }
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        AssertRecoveredAndUsable(dir, store);
    }

    [Fact]
    public void Damaged_pages_are_detected_and_replaced()
    {
        using var dir = new TempDirectory();
        FillAndClose(dir, 20_000);
        using (var stream = new FileStream(dir.Database, FileMode.Open))
        {
            // Keep the header page intact; scribble over pages in the middle.
            stream.Position = 4096 * 3;
            var noise = new byte[4096 * 4];
            new Random(2).NextBytes(noise);
            stream.Write(noise);
        }
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        AssertRecoveredAndUsable(dir, store);
    }

    [Fact]
    public void An_empty_file_is_simply_initialised()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Database, []);
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        Assert.Equal(StoreOpenState.Created, store.Health.OpenState);
    }
}
