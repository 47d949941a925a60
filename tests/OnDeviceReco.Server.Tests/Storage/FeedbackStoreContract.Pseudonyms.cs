using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Tests.Stores;

// Pseudonyms: a database from before them is converted once, and a key rotation hides no row from an export or an erasure.
public abstract partial class FeedbackStoreContract
{
    /// <summary>Opens again the store <see cref="NewStore"/> made last, with the server's keys.</summary>
    protected abstract IFeedbackStore ReopenStore(ErasureMarkers markers, IdPseudonyms pseudonyms);

    /// <summary>Everything the store <see cref="NewStore"/> made last holds, raw (SQLite: its files; PostgreSQL: a dump).</summary>
    protected abstract byte[] RawContent();

    private static readonly ErasureMarkers Markers = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Ids_stored_before_pseudonyms_are_replaced_by_them_once_and_the_device_keeps_its_binding()
    {
        string device = "canary-device-" + Guid.NewGuid().ToString("N");
        string user = "canary-user-" + Guid.NewGuid().ToString("N");
        byte[] secret = SHA256.HashData(Encoding.UTF8.GetBytes(device));
        using (var old = NewStore())
        {
            Assert.Equal(DeviceBinding.Bound, old.BindDevice(device, secret));
            var batch = Batch(device, 1, 10, user: user);
            old.Ingest(batch, Hash(batch));
            old.IngestAttributes(Attributes(device, new AttributeChange(1, Now, user, "platform", "ios")));
        }
        Assert.True(RawContent().AsSpan().IndexOf(Encoding.UTF8.GetBytes(user)) >= 0); // the raw check can see an id

        var pseudonyms = new IdPseudonyms(RandomNumberGenerator.GetBytes(32));
        for (int open = 0; open < 2; open++) // the second open finds the work done and renames nothing again
        {
            using var store = ReopenStore(Markers, pseudonyms);
            Assert.All(store.ReadEvents(), e => Assert.Equal((pseudonyms.Device(device), pseudonyms.User(device, user)), (e.DeviceId, e.UserId)));
            Assert.Equal(open == 0 ? 10 : 15, store.Counts().Events);
            Assert.Equal([(pseudonyms.Device(device), pseudonyms.User(device, user), "ios")],
                store.ReadAttributes().Select(a => (a.DeviceId, a.UserId, a.Value)));
            Assert.Equal(DeviceBinding.Matched, store.BindDevice(device, secret));
            var more = Batch(device, 11, 5, user: user);
            Assert.Equal(open == 0 ? 5 : 0, store.Ingest(more, Hash(more)).Stored); // the same device row, not a new one
            Assert.Equal(1, store.Counts().Devices);
        }
        byte[] raw = RawContent();
        Assert.True(raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(user)) < 0, "the user id is still stored");
        Assert.True(raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(device)) < 0, "the device id is still stored");
    }

    [Fact]
    public void After_a_key_rotation_export_and_erasure_find_every_period_and_the_id_stays_refused_once_old_keys_are_gone()
    {
        byte[] firstKey = RandomNumberGenerator.GetBytes(32), secondKey = RandomNumberGenerator.GetBytes(32);
        using (NewStore())
        {
        }
        using (var first = ReopenStore(Markers, new IdPseudonyms(firstKey)))
        {
            Assert.Equal(DeviceBinding.Bound, first.BindDevice("device-r", [1, 2, 3]));
            var batch = Batch("device-r", 1, 10);
            first.Ingest(batch, Hash(batch));
            var other = Batch("device-o", 1, 4);
            first.Ingest(other, Hash(other));
        }
        var rotated = new IdPseudonyms(secondKey, [firstKey]);
        using (var second = ReopenStore(Markers, rotated))
        {
            // A new period, a new name: the device binds again and its events start a second sequence.
            Assert.Equal(DeviceBinding.Bound, second.BindDevice("device-r", [1, 2, 3]));
            var batch = Batch("device-r", 11, 10);
            Assert.Equal(10, second.Ingest(batch, Hash(batch)).Stored);
            Assert.Equal(3, second.ReadEvents().Select(e => e.DeviceId).Distinct().Count()); // device-r under two names, device-o under one

            // Its export reads both names' rows as one device, under its current name.
            var found = second.FindDevice("device-r");
            Assert.Equal((ExportedDeviceState.Found, 2, rotated.Device("device-r")), (found.State, found.Keys.Count, found.DeviceId));
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), second.ReadDeviceEvents(found.Keys).Select(e => e.Sequence));
            Assert.Equal(20, second.ReadDeviceBatches(found.Keys).Sum(b => b.Stored));
            Assert.Single(second.FindDevice("device-o").Keys);

            Assert.Equal(20, second.EraseDevice("device-r"));
            Assert.Equal(4, second.Counts().Events);
        }
        using var keysDropped = ReopenStore(Markers, new IdPseudonyms(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(DeviceBinding.Erased, keysDropped.BindDevice("device-r", [1, 2, 3]));
        var late = Batch("device-r", 21, 3);
        Assert.Throws<DeviceErasedException>(() => keysDropped.Ingest(late, Hash(late)));
        Assert.Equal(4, keysDropped.Counts().Events);
    }
}
