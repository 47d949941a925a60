using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Puts feedback read from a store into an order that depends on what was stored, never on when it arrived nor on
/// the names the store gave it: users by a fingerprint of their own events (the items in order, then what they were
/// shown), then user id and device id (ordinal) only between users whose events are identical, and items the catalogue
/// does not know numbered in that order of first use. A store groups events by its own device key, which numbers
/// devices in the order they first synced, and it names devices and users by keyed pseudonyms, whose key is drawn
/// when a server's data directory is created — so neither arrival order nor names repeat from one server (or loop
/// run) to the next. The training shuffle, the split's evaluation sampling and which embedding row an item gets all
/// follow the user order, so the same events would otherwise train a different model.
/// </summary>
internal static class CanonicalUserOrder
{
    /// <param name="data">Sequences as the store's order built them; item indices into <c>data.Items</c>.</param>
    /// <param name="owners">(user id, device id) of each of <c>data.UserIds</c>.</param>
    /// <param name="catalogue">A fresh vocabulary holding only the catalogue (the same one <paramref name="data"/> started from):
    /// catalogue items keep their indices, the others are added to it in canonical order.</param>
    public static InteractionData Apply(InteractionData data, IReadOnlyList<(string UserId, string DeviceId)> owners, ItemVocabulary catalogue)
    {
        var fingerprints = Enumerable.Range(0, data.Sequences.Count).Select(u => Fingerprint(data, u)).ToArray();
        var order = Enumerable.Range(0, data.Sequences.Count)
            .OrderBy(u => fingerprints[u], StringComparer.Ordinal)
            .ThenBy(u => owners[u].UserId, StringComparer.Ordinal)
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

    /// <summary>SHA-256 (hex) of a user's item ids in order and their shown items: names no store key, only what happened.</summary>
    private static string Fingerprint(InteractionData data, int user)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (int item in data.Sequences[user])
        {
            hash.AppendData(Encoding.UTF8.GetBytes(data.Items.IdOf(item) + "\n"));
        }
        hash.AppendData("\0"u8);
        foreach (var shown in data.Shown?[user] ?? [])
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{shown.From}:{data.Items.IdOf(shown.Item)}\n"));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
