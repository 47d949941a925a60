namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Puts feedback read from a store into an order that depends on what was stored, never on when it arrived: users
/// by user id, then device id (ordinal), and items the catalogue does not know numbered in that order of first use.
/// A store groups events by its own device key, which numbers devices in the order they first synced — on a live
/// server (and in the loop, where hundreds of devices sync at once) that order differs from run to run; the training
/// shuffle, the split's evaluation sampling and which embedding row an item gets all follow the user order, so the
/// same events would otherwise train a different model.
/// </summary>
internal static class CanonicalUserOrder
{
    /// <param name="data">Sequences as the store's order built them; item indices into <c>data.Items</c>.</param>
    /// <param name="owners">(user id, device id) of each of <c>data.UserIds</c>.</param>
    /// <param name="catalogue">A fresh vocabulary holding only the catalogue (the same one <paramref name="data"/> started from):
    /// catalogue items keep their indices, the others are added to it in canonical order.</param>
    public static InteractionData Apply(InteractionData data, IReadOnlyList<(string UserId, string DeviceId)> owners, ItemVocabulary catalogue)
    {
        var order = Enumerable.Range(0, data.Sequences.Count)
            .OrderBy(u => owners[u].UserId, StringComparer.Ordinal)
            .ThenBy(u => owners[u].DeviceId, StringComparer.Ordinal)
            .ToArray();
        int Renumber(int item) => catalogue.Add(data.Items.IdOf(item));
        var sequences = new List<int[]>(order.Length);
        var shown = data.Shown is null ? null : new List<ShownItem[]>(order.Length);
        foreach (int u in order)
        {
            sequences.Add(Array.ConvertAll(data.Sequences[u], Renumber));
            shown?.Add(Array.ConvertAll(data.Shown![u], s => s with { Item = Renumber(s.Item) }));
        }
        return new InteractionData(data.Name, order.Select(u => data.UserIds[u]).ToList(), sequences, catalogue, shown);
    }
}
