using System.Text;
using OnDeviceReco.Storage;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Store;

/// <summary>
/// What an erasure owes is written down before anything is deleted: a crash cut short is finished at the next open,
/// the server's part stays owed across restarts until it is settled, a damaged list is not read, and when the list
/// cannot be written nothing is erased.
/// </summary>
public sealed class ErasureOwedTests
{
    [Fact]
    public void An_erasure_cut_short_after_it_was_written_down_is_finished_at_the_next_open()
    {
        using var dir = new TempDirectory();
        var options = new StoreOptions { DatabasePath = dir.Database };
        string erasedId;
        using (var store = new BehaviorStore(options))
        {
            store.SetConsent(ConsentState.Granted);
            for (int i = 0; i < 500; i++)
            {
                store.Track("canary-user", $"canary-item-{i}", EventType.Play);
            }
            store.Flush();
            erasedId = store.DeviceId;
            // What EraseAllData writes first; the process dies before it deletes anything.
            ErasureRequests.Write(dir.Database, [new ErasureRequest(store.DeviceId, store.DeviceSecret, ToServer: true)]);
        }

        using (var reopened = new BehaviorStore(options))
        {
            Assert.Empty(reopened.GetEvents());
            Assert.NotEqual(erasedId, reopened.DeviceId);
            Assert.Equal(ConsentState.Granted, reopened.Consent);
            Assert.Equal([erasedId], reopened.PendingServerErasures.Select(r => r.DeviceId));
        }
        foreach (string file in Directory.GetFiles(dir.Path))
        {
            Assert.DoesNotContain("canary-", Encoding.Latin1.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_servers_erasure_stays_owed_across_restarts_until_settled_and_only_for_identities_that_contacted_a_server()
    {
        using var dir = new TempDirectory();
        var options = new StoreOptions { DatabasePath = dir.Database };
        string first, second;
        using (var store = new BehaviorStore(options))
        {
            first = store.DeviceId;
            store.SetState(KeyValue.ServerContact, "1"); // this identity tried to register
            store.EraseAllData();
            second = store.DeviceId;
            store.EraseAllData(); // never contacted a server: nothing owed for it
            Assert.Equal([first], store.PendingServerErasures.Select(r => r.DeviceId));
        }
        using (var reopened = new BehaviorStore(options))
        {
            Assert.Equal([first], reopened.PendingServerErasures.Select(r => r.DeviceId));
            Assert.NotEqual(second, reopened.DeviceId);
            reopened.ServerErasureSettled(first);
            Assert.Empty(reopened.PendingServerErasures);
        }
        Assert.False(File.Exists(ErasureRequests.PathOf(dir.Database)));
    }

    [Fact]
    public void A_damaged_list_is_not_read()
    {
        using var dir = new TempDirectory();
        ErasureRequests.Write(dir.Database, [new ErasureRequest("device-1", "secret-1", true), new ErasureRequest("device-2", "secret-2", true)]);
        Assert.Equal(2, ErasureRequests.Read(dir.Database).Count);
        string path = ErasureRequests.PathOf(dir.Database);
        File.WriteAllText(path, File.ReadAllText(path).Replace("device-2", "device-3", StringComparison.Ordinal));

        Assert.Empty(ErasureRequests.Read(dir.Database));
    }

    [Fact]
    public void When_the_list_cannot_be_written_nothing_is_erased()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.Database });
        store.Track("u", "kept", EventType.Play);
        store.Flush();
        string id = store.DeviceId;
        Directory.CreateDirectory(ErasureRequests.PathOf(dir.Database) + ".tmp"); // the temporary file cannot be created

        var e = Assert.Throws<BehaviorStoreException>(store.EraseAllData);

        Assert.Contains("nothing was erased", e.Message, StringComparison.Ordinal);
        Assert.Equal("kept", Assert.Single(store.GetEvents()).ItemId);
        Assert.Equal(id, store.DeviceId);
    }
}
