using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// --text-cache PATH: where items' sentence vectors are cached (default: one per machine user,
/// <see cref="TextVectorCache.DefaultPath"/>). Text recipes and the content baseline attach vectors through here,
/// printing a progress line on stderr while encoding and the rate at the end.
/// </summary>
public static class TextVectorsOption
{
    public static readonly string[] Names = ["--text-cache"];

    public static TextEncodingStats Attach(CommandLine line, ItemVocabulary items, int threads)
    {
        var cache = new TextVectorCache(line.Optional("--text-cache") ?? TextVectorCache.DefaultPath);
        using var encoder = new SentenceEncoder(threads);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var stats = ItemTextVectors.Attach(items, encoder, cache, (done, total) =>
        {
            double rate = done / Math.Max(started.Elapsed.TotalSeconds, 1e-9);
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rencoding item texts: {done:N0}/{total:N0} ({rate:N0} items/s)   "));
            if (done == total)
            {
                Console.Error.WriteLine();
            }
        });
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"item texts: {stats.Items:N0} items, {stats.FromCache:N0} from the cache, {stats.Encoded:N0} encoded in {stats.Seconds:N1} s ({stats.ItemsPerSecond:N0} items/s); cache {cache.FilePath}"));
        return stats;
    }
}
