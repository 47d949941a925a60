using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Sdk;

/// <summary>Disposing more than once (as C hosts and `using` plus an explicit Dispose do) is harmless.</summary>
public sealed class DisposeTests
{
    // A sync schedule is the part that is not naturally idempotent: its stop token is disposed on the first call.
    private static RecoClient OpenWithSchedule(TempDirectory dir) => new(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = dir.Database },
        Sync = new SyncOptions { ServerUri = new Uri("http://127.0.0.1:9/"), ApiKey = "key", Interval = TimeSpan.FromHours(1) },
    });

    [Fact]
    public void Dispose_twice_does_nothing_the_second_time()
    {
        using var dir = new TempDirectory();
        var client = OpenWithSchedule(dir);
        client.Track("u", "a", EventType.Play);
        client.Dispose();
        client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => client.Track("u", "b", EventType.Play));
        Assert.Equal(1, RawDatabase.Scalar(dir.Database, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task DisposeAsync_and_Dispose_in_any_order_and_number()
    {
        using var dir = new TempDirectory();
        var client = OpenWithSchedule(dir);
        await client.DisposeAsync();
        client.Dispose();
        await client.DisposeAsync();
    }
}
