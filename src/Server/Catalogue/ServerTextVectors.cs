using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Server.Catalogue;

/// <summary>
/// The server's one sentence encoder and vector cache (<c>item-text-vectors.bin</c> in the data directory), shared by
/// retraining and catalogue updates: each text is encoded once whoever asks first, and one lock keeps the two from
/// writing the cache file at the same time. The encoder (about 90 MB) is loaded on first use.
/// </summary>
public sealed class ServerTextVectors(ServerOptions options) : IDisposable
{
    private readonly Lock _gate = new();
    private SentenceEncoder? _encoder;
    private TextVectorCache? _cache;

    public string CachePath => Path.Combine(options.DataDirectory, "item-text-vectors.bin");

    /// <summary>Gives every item of <paramref name="items"/> its sentence vector (what a text recipe trains on).</summary>
    public TextEncodingStats Attach(ItemVocabulary items)
    {
        lock (_gate)
        {
            return ItemTextVectors.Attach(items, Encoder(), Cache());
        }
    }

    /// <summary>One vector per text, from the cache or encoded now (and cached).</summary>
    public float[][] Vectors(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        lock (_gate)
        {
            var cache = Cache();
            var missing = texts.Where(t => !cache.TryGet(t, out _)).Distinct(StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
            {
                var encoded = Encoder().Encode(missing);
                for (int i = 0; i < missing.Length; i++)
                {
                    cache.Add(missing[i], encoded[i]);
                }
                cache.Save();
            }
            return texts.Select(t => cache.TryGet(t, out var v) ? v : throw new InvalidOperationException("A vector just cached is missing.")).ToArray();
        }
    }

    private SentenceEncoder Encoder() => _encoder ??= new SentenceEncoder(options.Retraining.Threads);

    private TextVectorCache Cache() => _cache ??= new TextVectorCache(CachePath);

    public void Dispose() => _encoder?.Dispose();
}
