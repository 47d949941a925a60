using System.Globalization;
using System.Text.Json;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Privacy;
using OnDeviceReco.Feedback;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Server.Retraining;

/// <summary>What one retraining run decided.</summary>
public sealed record RetrainingOutcome(long Version, bool Published, RankingMetrics Candidate, RankingMetrics Baseline, string BaselineName, string Reason, int Epochs, string Recipe);

/// <summary>
/// One retraining run: synced feedback → a candidate trained with each user's newest interaction held out →
/// the candidate and the serving model (or popularity, before the first model) scored on exactly those held-out
/// recent events → the candidate is signed and kept either way, and published only if it is not worse.
/// </summary>
public sealed class RetrainingJob(ServerOptions options, IFeedbackStore store, ModelRegistry registry, ModelSigning signing,
    ShippedCounts shipped, Experiments.ExperimentBook experiments, Catalogue.ServerTextVectors textVectors, ILogger<RetrainingJob> log)
{
    private readonly Lock _oneAtATime = new();

    /// <param name="trainedThrough">The newest event id this run's data includes.</param>
    /// <param name="lease">The right to publish; checked again right before publishing (another node may have taken over).</param>
    /// <param name="cancellationToken">Stops the run before training.</param>
    public RetrainingOutcome Run(long trainedThrough, ITrainingLease lease, CancellationToken cancellationToken)
    {
        lock (_oneAtATime)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var settings = options.Retraining;
            var named = settings.EffectiveRecipes.Select(name => ModelCatalogue.Find(name))
                .Select(c => c with { MaxEpochs = settings.MaxEpochs ?? c.MaxEpochs }).ToList();
            // Ids only devices know ship once k devices share them; counts ship only for those (KAnonymousTraining).
            var kAnonymous = new KAnonymousTraining(store, shipped.MinDevices, CatalogueItems());
            var data = new FeedbackInteractionSource(kAnonymous, options.CatalogueDirectory,
                collectShown: named.Any(c => c.ShownNegativeWeight > 0)).Load();
            if (named.Any(c => c.UseText))
            {
                // Text recipes read every item's sentence vector; the cache keeps this to the items new since the last run.
                var encoding = textVectors.Attach(data.Items);
                log.LogInformation("Item texts: {Items} items, {FromCache} from the cache, {Encoded} encoded in {Seconds:0.0} s ({PerSecond:0} items/s)",
                    encoding.Items, encoding.FromCache, encoding.Encoded, encoding.Seconds, encoding.ItemsPerSecond);
            }
            var softmax = CatalogueRecipe.ParseSoftmax(settings.Softmax);
            var shape = CatalogueShape.Of(data.Items.Count, data.Sequences);
            var decisions = named.Select(c => CatalogueRecipe.Choose(c, shape, softmax)).ToList();
            var recipes = decisions.Select(d => d.Config).ToList();
            foreach (var decision in decisions)
            {
                log.LogInformation("Recipe {Recipe}", decision.Reason);
            }
            log.LogInformation("Training {Recipes} on {Users} users, {Interactions} interactions, {Items} items",
                string.Join(", ", recipes.Select(c => c.Name)), data.Sequences.Count, data.InteractionCount, data.Items.Count);
            var choice = RecipeChoice.Train(data, recipes, settings.Seed, settings.Threads,
                (recipe, epoch) => log.LogInformation("{Model} epoch {Epoch}: loss {Loss:0.0000}, validation NDCG@10 {Validation}, {Seconds:0.0} s",
                    recipe.Name, epoch.Epoch, epoch.Loss, epoch.ValidationNdcg10?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "-", epoch.Seconds),
                cancellationToken, settings.EffectiveTimeBudget);
            var (config, candidate) = (choice.Config, choice.Candidate);
            string recipeReason = decisions.First(d => ReferenceEquals(d.Config, config)).Reason;
            using var model = candidate.Model;
            var (baselineName, baseline) = ScoreBaseline(candidate, data.Items, settings.Seed);
            bool publish = candidate.Holdout.Ndcg10 >= baseline.Ndcg10 + settings.MinImprovement;
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["ndcg@10"] = candidate.Holdout.Ndcg10,
                ["hr@10"] = candidate.Holdout.HitRate10,
                ["baseline_ndcg@10"] = baseline.Ndcg10,
                ["baseline_hr@10"] = baseline.HitRate10,
                ["holdout_users"] = candidate.Holdout.Cases,
                ["interactions"] = data.InteractionCount,
                ["best_epoch"] = candidate.Training.BestEpoch,
                // Signed with the manifest: what the shipped tables promise (k devices behind every count, Laplace scale b).
                ["privacy_min_devices"] = shipped.MinDevices,
                ["privacy_noise_scale"] = shipped.NoiseScale,
            };
            foreach (var (name, value) in candidate.Training.Privacy?.Metrics() ?? new Dictionary<string, double>())
            {
                metrics[name] = value; // user-level DP: ε, δ, C, σ of the run that made these weights
            }
            if (choice.Scores.Count > 1)
            {
                foreach (var score in choice.Scores)
                {
                    metrics[$"validation_ndcg@10:{score.Name}"] = score.ValidationNdcg10;
                }
            }
            // A private recipe ships the candidate itself: a second private run would spend ε again.
            using var refitted = publish && settings.RefitOnAllData && config.Privacy is null ? Refit(data, config, candidate.Training.BestEpoch, settings.Seed) : null;
            if (refitted is not null)
            {
                metrics["refit_epochs"] = candidate.Training.BestEpoch;
                // What validation chose for the candidate holds for its refit: nothing is left to choose on.
                refitted.NewestBoost = model.NewestBoost;
                refitted.Calibration = model.Calibration;
            }
            if (model.Newest is not null)
            {
                metrics["newest_boost"] = model.NewestBoost;
            }
            TextQuestions.AttachVectors(options, data, textVectors, log);
            // From the number to the publication under the registry's version lock: a catalogue update may publish meanwhile.
            using var versionScope = registry.VersionLock.EnterScope();
            long version = registry.NextVersion();
            var created = DateTimeOffset.UtcNow;
            var cohorts = CohortSignals.Build(store, data, shipped, version);
            ModelBundleWriter.Write(registry.BundleDirectory(version), refitted ?? model, data, version, metrics, signing.Key, created, cohorts: cohorts,
                popularItems: kAnonymous.SharedItems);
            // What a catalogue update needs to place items this model never trained on, without the model.
            NewItemProjector.From(refitted ?? model, data.Items).Save(registry.ProjectorPath(version));
            string privacy = candidate.Training.Privacy is { } spent ? $"{spent}; " : "";
            string chosen = candidate.Chosen is { } what ? $"{what}; " : "";
            string reason = $"recipe {recipeReason}, stopped: {candidate.Training.StoppedText}; " + chosen + privacy + RecipeNote(choice) + string.Create(CultureInfo.InvariantCulture,
                $"candidate NDCG@10 {candidate.Holdout.Ndcg10:0.0000} vs {baselineName} {baseline.Ndcg10:0.0000} on {candidate.Holdout.Cases} held-out recent events{Margin(settings.MinImprovement)}");
            string metricsJson = JsonSerializer.Serialize(metrics);
            if (publish && !lease.IsHeld)
            {
                publish = false;
                reason = "the training lease was lost (the store connection dropped), so another node may be training: " + reason;
            }
            if (publish)
            {
                experiments.PublishNewVersion(registry.Verify(version), metricsJson, "published: " + reason);
                log.LogInformation("Published model v{Version}: {Reason}", version, reason);
            }
            else
            {
                registry.RecordRejected(version, created, metricsJson, "kept back: " + reason);
                log.LogWarning("Model v{Version} kept back: {Reason}", version, reason);
            }
            store.TrainedThrough = trainedThrough;
            return new RetrainingOutcome(version, publish, candidate.Holdout, baseline, baselineName, reason, candidate.Training.EpochsRun, config.Name);
        }
    }

    /// <summary>The ids the operator's catalogue lists: public whatever devices did with them.</summary>
    private HashSet<string>? CatalogueItems()
    {
        if (options.CatalogueDirectory is null)
        {
            return null;
        }
        var catalogue = MovieLensSource.LoadCatalogue(options.CatalogueDirectory);
        return Enumerable.Range(1, catalogue.Count).Select(catalogue.IdOf).ToHashSet(StringComparer.Ordinal);
    }

    private SequenceModel Refit(InteractionData data, ModelConfig config, int epochs, int seed)
    {
        log.LogInformation("Refitting {Model} on all {Interactions} interactions for {Epochs} epochs before publishing", config.Name, data.InteractionCount, epochs);
        TorchRuntime.Configure(options.Retraining.Threads, seed);
        return HoldoutTraining.Refit(data, config, epochs, seed);
    }

    /// <summary>With several recipes, which one the validation events chose and every recipe's score; nothing with one.</summary>
    private static string RecipeNote(RecipeChoice choice) => choice.Scores.Count < 2 ? "" :
        $"recipe {choice.Config.Name} chosen on validation NDCG@10 ({string.Join(", ", choice.Scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.ValidationNdcg10:0.0000}")))}); ";

    private static string Margin(double required) =>
        required > 0 ? string.Create(CultureInfo.InvariantCulture, $" (required margin {required:0.0000})") : "";

    private (string Name, RankingMetrics Metrics) ScoreBaseline(HoldoutCandidate candidate, ItemVocabulary items, int seed)
    {
        if (registry.Serving is { } serving)
        {
            var bundle = registry.VerifyPublished(serving.ModelVersion);
            using var scorer = new ServingModelScorer(bundle, items);
            return ($"serving v{serving.ModelVersion}", candidate.Evaluator.Evaluate(scorer, candidate.TestCases, seed));
        }
        var popularity = new PopularityScorer(candidate.TrainSequences, items.TableSize);
        return ("popularity", candidate.Evaluator.Evaluate(popularity, candidate.TestCases, seed));
    }
}
