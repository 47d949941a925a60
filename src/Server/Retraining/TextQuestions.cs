using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Gives the trained items their sentence vectors, so the bundle writer picks newcomers' questions for coverage of the
/// catalogue's text (<see cref="TextOnboardingQuestions"/>). Only with the operator's catalogue: its titles, categories
/// and descriptions are the text; without one, bundles carry no question list and devices pick from popularity alone.
/// </summary>
internal static class TextQuestions
{
    public static void AttachVectors(ServerOptions options, InteractionData data, ILogger log)
    {
        if (!options.Retraining.TextOnboarding || options.CatalogueDirectory is null || data.Items.HasTextVectors)
        {
            return;
        }
        using var encoder = new SentenceEncoder(options.Retraining.Threads);
        var stats = ItemTextVectors.Attach(data.Items, encoder, new TextVectorCache(TextVectorCache.DefaultPath));
        log.LogInformation("Item text for newcomers' questions: {Items} items, {Cached} from the cache, {Encoded} encoded in {Seconds:0.0} s",
            stats.Items, stats.FromCache, stats.Encoded, stats.Seconds);
    }
}
