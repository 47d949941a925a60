using OnDeviceReco.Server.Catalogue;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Gives the trained items their sentence vectors, so the bundle writer picks newcomers' questions for coverage of the
/// catalogue's text (<see cref="Trainer.Text.TextOnboardingQuestions"/>). Only with the operator's catalogue: its titles, categories
/// and descriptions are the text; without one, bundles carry no question list and devices pick from popularity alone.
/// </summary>
internal static class TextQuestions
{
    public static void AttachVectors(ServerOptions options, InteractionData data, ServerTextVectors textVectors, ILogger log)
    {
        if (!options.Retraining.TextOnboarding || options.CatalogueDirectory is null || data.Items.HasTextVectors)
        {
            return;
        }
        var stats = textVectors.Attach(data.Items);
        log.LogInformation("Item text for newcomers' questions: {Items} items, {Cached} from the cache, {Encoded} encoded in {Seconds:0.0} s",
            stats.Items, stats.FromCache, stats.Encoded, stats.Seconds);
    }
}
