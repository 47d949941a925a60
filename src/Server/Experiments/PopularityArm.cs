using System.Globalization;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Privacy;
using OnDeviceReco.Trainer.Bundles;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// Popularity as an experiment's arm: a new version whose graph ignores the history and ranks the serving version's
/// items by how many devices chose each (<see cref="PopularityBundleWriter"/>), counts released as every shipped count
/// is (<see cref="ShippedCounts"/>: k devices behind each, with noise; an item that may not ship ranks last). It is
/// signed, published and tried like a retrained version, so devices need nothing new: they download, verify and serve it.
/// </summary>
public sealed class PopularityArm(IFeedbackStore store, ModelRegistry registry, ModelSigning signing, ShippedCounts shipped, ExperimentBook book,
    TimeProvider clock, ILogger<PopularityArm> log)
{
    /// <summary>
    /// Publishes a popularity version and starts trying it (the plan <see cref="TreatmentPlan.ToPublish"/>), with the
    /// other treatments of <paramref name="plans"/>, against the serving version. The experiment is checked before
    /// anything is counted or written.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="ExperimentBook.Check"/>.</exception>
    public ExperimentDefinition Start(IReadOnlyList<TreatmentPlan> plans, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(plans);
        book.Check(plans, id);
        var serving = registry.Serving ?? throw new ArgumentException("No version serves yet: there is no control to compare with.");
        double share = (plans.FirstOrDefault(p => p.Version == TreatmentPlan.ToPublish) ?? throw new ArgumentException("No treatment is the popularity arm.", nameof(plans))).Share;
        var source = registry.VerifyPublished(serving.ModelVersion).Manifest;
        var devices = KAnonymousTraining.DeviceCounts(store);
        using var versionScope = registry.VersionLock.EnterScope();
        long version = registry.NextVersion();
        var released = shipped.Release($"popularity/v{version}", source.Items.Select(i => (i.Id, devices.GetValueOrDefault(i.Id))))
            .ToDictionary(c => c.Cell, c => c.Count, StringComparer.Ordinal);
        var counts = source.Items.Select(i => released.GetValueOrDefault(i.Id)).ToList();
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["ranked_items"] = counts.Count(c => c > 0),
            ["privacy_min_devices"] = shipped.MinDevices,
            ["privacy_noise_scale"] = shipped.NoiseScale,
        };
        string directory = registry.BundleDirectory(version);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true); // a candidate never published under this number
        }
        PopularityBundleWriter.Write(directory, source.Items, counts, version, source.MaxSequenceLength, metrics, signing.Key, clock.GetUtcNow());
        string reason = string.Create(CultureInfo.InvariantCulture,
            $"published: popularity arm ({metrics["ranked_items"]:0} of {counts.Count} items of v{serving.ModelVersion} ranked by devices that chose them), tried on {share:P0} of devices");
        var (_, experiment) = book.PublishTrial(registry.Verify(version), System.Text.Json.JsonSerializer.Serialize(metrics), reason, plans, id);
        log.LogInformation("Popularity arm v{Version}: {Reason}", version, reason);
        return experiment;
    }
}
