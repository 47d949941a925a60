using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Tests.Stores;

public abstract partial class FeedbackStoreContract
{
    // Ids whose byte order (upper case first, accented letters last) differs from any language's order.
    private static readonly string[] MixedIds = ["b", "é", "B", "a", "Z"];
    private static readonly string[] InByteOrder = ["B", "Z", "a", "b", "é"];

    [Fact]
    public void Shown_counts_break_ties_by_the_bytes_of_the_item_id()
    {
        using var store = NewStore();
        Ingest(store, "device-a", [.. MixedIds.Select(id => ("u", id, (int)EventType.Impression))]);

        Assert.Equal(InByteOrder, store.ShownCounts(10).Select(c => c.ItemId));
        Assert.Equal(InByteOrder[..2], store.ShownCounts(2).Select(c => c.ItemId));
    }

    [Fact]
    public void Training_reads_order_users_and_keys_by_their_bytes()
    {
        using var store = NewStore();
        Ingest(store, "device-a", [.. MixedIds.Select(id => (id, "item", (int)EventType.Click))]);
        store.IngestAttributes(Attributes("device-a", [.. MixedIds.SelectMany((id, i) => (AttributeChange[])[
            new(2 * i + 1, Now, id, "k", "v"), new(2 * i + 2, Now, "u", id, "v")])]));

        Assert.Equal(InByteOrder, store.ReadEvents().Select(e => e.UserId));
        var expected = InByteOrder.Select(id => (User: id, Key: "k")).Concat(InByteOrder.Select(id => (User: "u", Key: id)))
            .OrderBy(a => a.User, StringComparer.Ordinal).ThenBy(a => a.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, store.ReadAttributes().Select(a => (User: a.UserId, a.Key)));
    }
}
