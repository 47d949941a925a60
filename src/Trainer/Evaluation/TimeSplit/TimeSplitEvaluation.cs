using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>One model's part of a time-split evaluation.</summary>
/// <param name="Detail">What was chosen on validation for a baseline (e.g. the content baseline's history length).</param>
/// <param name="Validation">NDCG@10 per group on the validation window (segments relative to the validation cutoff), as
/// chosen or early-stopped: what a hyperparameter choice may look at.</param>
/// <param name="Refit">When the tested model is the recipe retrained on everything before the cutoff for its
/// early-stopped number of epochs: that training run (<see cref="Training"/> stays the early-stopped one).</param>
public sealed record TimeSplitModel(string Name, SegmentResults Test, double ValidationNdcg10, TrainingResult? Training, string? Recipe, string? Detail,
    IReadOnlyDictionary<string, (double Ndcg10, int Targets)> Validation, TrainingResult? Refit = null);

/// <summary>Every model of one time-split run, with the bootstrap their intervals share.</summary>
public sealed record TimeSplitResult(TimeSplitData Split, IReadOnlyList<TimeSplitModel> Models, UserBootstrap Bootstrap, int Seed);

/// <summary>
/// Runs the time-split protocol (<see cref="TimeSplitData"/>) for popularity, the content baseline and sequence
/// recipes: each is chosen or early-stopped on the validation window only, then replayed once on the test window.
/// With refitting, a sequence recipe is then trained afresh on everything before the cutoff for the number of epochs
/// validation chose, as the server's retraining does before it publishes, and that model is the one tested: the
/// early-stopped model knows nothing after the validation cutoff (items released since have no ID part and were never
/// negatives), while the baselines see everything before the cutoff.
/// </summary>
public static class TimeSplitEvaluation
{
    public const string Popularity = "popularity";
    public const string Content = "content";

    /// <summary>History lengths the content baseline chooses from on validation.</summary>
    public static readonly int[] ContentRecent = [1, 3, 10, 30];

    /// <param name="recipes">Sequence models in training order, each as it will train (see <see cref="CatalogueRecipe"/>).</param>
    /// <param name="baselines">Which of <see cref="Popularity"/> and <see cref="Content"/> to run.</param>
    /// <param name="budget">Wall-clock budget for all sequence models together (<see cref="SharedBudget"/>); null for none.</param>
    /// <param name="onEpoch">Progress: (model name, epoch record).</param>
    /// <param name="refit">Test each recipe refitted on everything before the cutoff (the budget then counts the
    /// refits too: each gets a share after its recipe's).</param>
    public static TimeSplitResult Run(TimeSplitData split, IReadOnlyCollection<string> baselines, IReadOnlyList<RecipeDecision> recipes, int seed,
        TimeSpan? budget = null, Action<string, EpochRecord>? onEpoch = null, bool refit = false)
    {
        var items = split.Data.Items;
        int table = items.TableSize;
        var users = split.Test.Select(c => c.User).Distinct().ToArray();
        var index = users.Select((u, i) => (u, i)).ToDictionary(p => p.u, p => p.i);
        var userIndex = split.Test.Select(c => index[c.User]).ToArray();
        var bootstrap = new UserBootstrap(users.Length, seed: seed);
        SegmentResults Test(IScorer scorer) => new(split.Test, ReplayRanking.Ranks(scorer, split.Test, table), userIndex, users.Length);
        double Validate(IScorer scorer) => ReplayRanking.Ranks(scorer, split.Validation, table).Average(ReplayRanking.Ndcg10);
        var validationUsers = split.Validation.Select(c => c.User).Distinct().Select((u, i) => (u, i)).ToDictionary(p => p.u, p => p.i);
        var validationIndex = split.Validation.Select(c => validationUsers[c.User]).ToArray();
        IReadOnlyDictionary<string, (double, int)> ValidationGroups(IScorer scorer)
        {
            var results = new SegmentResults(split.Validation, ReplayRanking.Ranks(scorer, split.Validation, table), validationIndex, validationUsers.Count);
            var none = new UserBootstrap(validationUsers.Count, resamples: 1);
            return SegmentResults.Groups.ToDictionary(g => g, g => { var m = results.Metrics(g, none); return (m.Ndcg10, m.Targets); });
        }

        // A text recipe's newest-item boost, then its placement of items without an ID part, each chosen on the
        // validation replay (left on the model).
        string? Calibrate(SequenceModel model)
        {
            if (model.Text is null)
            {
                return null;
            }
            string? boost = null;
            if (model.Newest is not null)
            {
                var (chosenBoost, boostScores) = NewestBoostChoice.Choose(model, split.Validation);
                boost = NewestBoostChoice.Describe(chosenBoost, boostScores) + "; ";
            }
            var (chosen, scores) = NoIdCalibrationChoice.Choose(model, split.Validation);
            return boost + NoIdCalibrationChoice.Describe(chosen, scores);
        }

        var models = new List<TimeSplitModel>();
        int? contentRecent = null;
        // With the content baseline in the run, each text recipe is also measured blended with it (ContentBlend).
        void Blend(SequenceModel early, SequenceModel tested, string name, string? recipe)
        {
            if (contentRecent is not { } recent || early.Text is null)
            {
                return;
            }
            using var content = new ContentScorer(items.TextVectors!, items.TextDimension, recent);
            var (weight, detail) = ContentBlend.Choose(early, content, split.Validation);
            var validation = new BlendScorer(new ModelScorer(early), content, weight, table);
            models.Add(new TimeSplitModel(ContentBlend.Name(name), Test(new BlendScorer(new ModelScorer(tested), content, weight, table)),
                Validate(validation), null, recipe, detail, ValidationGroups(validation)));
        }
        if (baselines.Contains(Popularity))
        {
            // What a server knows without training: counts up to the window being replayed.
            var validationScorer = new PopularityScorer(split.TrainSequences, table);
            double validation = Validate(validationScorer);
            models.Add(new TimeSplitModel(Popularity, Test(new PopularityScorer(split.BeforeCutoff, table)), validation, null, null, null,
                ValidationGroups(validationScorer)));
        }
        if (baselines.Contains(Content))
        {
            if (!items.HasTextVectors)
            {
                throw new ArgumentException("The content baseline needs the items' text vectors attached.", nameof(split));
            }
            var scored = ContentRecent.Select(k =>
            {
                using var scorer = new ContentScorer(items.TextVectors!, items.TextDimension, k);
                return (Recent: k, Validation: Validate(scorer));
            }).ToList();
            var best = scored.MaxBy(s => s.Validation);
            contentRecent = best.Recent;
            using var chosen = new ContentScorer(items.TextVectors!, items.TextDimension, best.Recent);
            models.Add(new TimeSplitModel(Content, Test(chosen), best.Validation, null, null,
                $"mean of the {best.Recent} newest items' text vectors (chosen on validation from {string.Join(", ", scored.Select(s => $"{s.Recent}: {s.Validation:0.0000}"))})",
                ValidationGroups(chosen)));
        }
        int runs = recipes.Count * (refit ? 2 : 1);
        var shared = budget is { } total ? new SharedBudget(total, Math.Max(1, runs)) : null;
        int left = runs;
        foreach (var (config, recipe) in recipes)
        {
            using var model = ModelFactory.Create(config, items);
            var scorer = new ModelScorer(model);
            var result = new SequenceTrainer(model, seed).Train(split.TrainSequences, () => Validate(scorer), config.MaxEpochs,
                epoch => onEpoch?.Invoke(config.Name, epoch), sameTime: split.TrainSameTime, budget: shared?.NextShare(left--), times: split.TrainTimes);
            if (!refit)
            {
                string? chosen = Calibrate(model);
                models.Add(new TimeSplitModel(config.Name, Test(scorer), result.BestValidationNdcg10, result, recipe, chosen, ValidationGroups(scorer)));
                Blend(model, model, config.Name, recipe);
                continue;
            }
            using var refitted = HoldoutTraining.Refit(config, items, split.BeforeCutoff, result.BestEpoch, seed, out var refitRun,
                epoch => onEpoch?.Invoke(config.Name + " refit", epoch), sameTime: split.BeforeCutoffSameTime, times: split.BeforeCutoffTimes,
                budget: shared?.NextShare(left--));
            // Chosen after the refit, so that scoring the grid takes no training time from it.
            string? detail = Calibrate(model);
            refitted.Calibration = model.Calibration;
            refitted.NewestBoost = model.NewestBoost;
            models.Add(new TimeSplitModel(config.Name, Test(new ModelScorer(refitted)), result.BestValidationNdcg10, result, recipe, detail,
                ValidationGroups(scorer), refitRun));
            Blend(model, refitted, config.Name, recipe);
        }
        return new TimeSplitResult(split, models, bootstrap, seed);
    }
}
