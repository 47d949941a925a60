using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Tests.Stores;

public abstract partial class FeedbackStoreContract
{
    [Fact]
    public void Shown_counts_count_each_device_once_per_item_and_only_impressions()
    {
        using var store = NewStore();
        const int impression = (int)EventType.Impression;
        Ingest(store, "device-a", [("u1", "x", impression), ("u1", "x", impression), ("u2", "x", impression), ("u2", "z", (int)EventType.Click)]);
        // Devices, not user ids: two users of one device count once (a client can name any number of users).
        Ingest(store, "device-b", [("u1", "x", impression), ("u1", "y", impression), ("u1", "w", impression), ("u1", "z", (int)EventType.Play)]);

        Assert.Equal([("x", 2), ("w", 1), ("y", 1)], store.ShownCounts(10));
        Assert.Equal([("x", 2)], store.ShownCounts(1)); // the most shown first, ties by id
        Assert.Empty(store.ShownCounts(0));
    }

    private static void Ingest(Feedback.IFeedbackStore store, string device, (string User, string Item, int Type)[] events)
    {
        var batch = EventBatch.Create(device, events.Select((e, i) => new WireEvent(i + 1, Now + i, e.User, e.Item, e.Type, 0, WireEvent.NoContext)).ToList());
        store.Ingest(batch, Hash(batch));
    }
}
