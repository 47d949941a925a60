using System.Diagnostics;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Text;

/// <summary>What encoding a catalogue's texts did: how many came from the cache, how many were encoded and how fast.</summary>
public sealed record TextEncodingStats(int Items, int FromCache, int Encoded, double Seconds)
{
    public double ItemsPerSecond => Encoded == 0 || Seconds <= 0 ? 0 : Encoded / Seconds;
}

/// <summary>
/// Gives every item of a vocabulary its sentence vector (<see cref="ItemText"/> through <see cref="SentenceEncoder"/>),
/// taking what the cache has and encoding only the rest, and attaches the table to the vocabulary for text recipes.
/// </summary>
public static class ItemTextVectors
{
    /// <summary>
    /// Vectors for items 1..Count as a [TableSize × 384] row-major table (row 0, padding, is zero), attached to
    /// <paramref name="items"/>; the cache is saved when anything was encoded.
    /// </summary>
    /// <param name="progress">Called after each encoded batch with (done, to encode).</param>
    public static TextEncodingStats Attach(ItemVocabulary items, SentenceEncoder encoder, TextVectorCache cache, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        int dimension = SentenceEncoder.Dimension;
        var table = new float[items.TableSize * dimension];
        var missing = new List<(int Index, string Text)>();
        for (int i = 1; i < items.TableSize; i++)
        {
            string text = ItemText.Of(items, i);
            if (cache.TryGet(text, out var vector))
            {
                vector.CopyTo(table, i * dimension);
            }
            else
            {
                missing.Add((i, text));
            }
        }
        // Items with the same text are encoded once.
        var distinct = missing.Select(m => m.Text).Distinct(StringComparer.Ordinal).ToArray();
        var timer = Stopwatch.StartNew();
        var encoded = distinct.Length == 0 ? [] : encoder.Encode(distinct, progress);
        timer.Stop();
        for (int t = 0; t < distinct.Length; t++)
        {
            cache.Add(distinct[t], encoded[t]);
        }
        foreach (var (index, text) in missing)
        {
            cache.TryGet(text, out var vector);
            vector.CopyTo(table, index * dimension);
        }
        cache.Save();
        items.AttachTextVectors(table, dimension);
        return new TextEncodingStats(items.Count, items.Count - missing.Count, distinct.Length, timer.Elapsed.TotalSeconds);
    }
}
