using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Models;

namespace OnDeviceReco.Trainer.Training;

/// <summary>A model trained with each user's two newest interactions kept out, and what it scored on the newest.</summary>
/// <param name="Model">The trained model (the caller disposes it).</param>
/// <param name="Holdout">Full-ranking metrics on each user's newest interaction, which training never saw.</param>
/// <param name="Training">Epochs and the validation curve.</param>
/// <param name="TestCases">(history, newest item) per user, to score other models on exactly the same cases.</param>
/// <param name="Evaluator">The evaluator over the same vocabulary and training data.</param>
/// <param name="TrainSequences">What the model learned from (for baselines such as popularity).</param>
/// <param name="Chosen">What was chosen on validation after training (<see cref="HeldOutBoostChoice"/>); null when nothing was.</param>
public sealed record HoldoutCandidate(
    SequenceModel Model,
    RankingMetrics Holdout,
    TrainingResult Training,
    IReadOnlyList<(int[] History, int Target)> TestCases,
    RankingEvaluator Evaluator,
    IReadOnlyList<int[]> TrainSequences,
    string? Chosen = null);

/// <summary>
/// The retraining recipe the server runs on synced feedback: leave-one-out per user (second newest for early
/// stopping, newest held out), so the candidate can be compared with the serving model on recent events
/// neither of them trained on.
/// </summary>
public static class HoldoutTraining
{
    /// <exception cref="DataFormatException">When no user has the three interactions a split needs.</exception>
    /// <param name="budget">Wall-clock training limit (see <see cref="SequenceTrainer.Train"/>); null for none.</param>
    public static HoldoutCandidate Train(InteractionData data, ModelConfig config, int seed, Action<EpochRecord>? onEpoch = null, TimeSpan? budget = null)
    {
        var split = new LeaveOneOutSplit(data);
        if (split.Users.Count == 0)
        {
            throw new DataFormatException($"'{data.Name}' has no user with three or more interactions; nothing to hold out.");
        }
        var validation = split.Users.Select(u => (u.ValidationInput, u.Validation)).ToList();
        var test = split.Users.Select(u => (u.TestInput, u.Test)).ToList();
        var evaluator = new RankingEvaluator(data.Items, split.TrainSequences);
        var model = ModelFactory.Create(config, data.Items);
        try
        {
            var scorer = new ModelScorer(model);
            double Validate() => evaluator.Evaluate(scorer, validation, seed, beyondAccuracy: false).Ndcg10;
            var result = new SequenceTrainer(model, seed).Train(split.TrainSequences, Validate,
                config.MaxEpochs, onEpoch, split.TrainShown, split.TrainSameTime, budget, times: split.TrainTimes);
            string? chosen = HeldOutBoostChoice.Choose(model, Validate);
            var holdout = evaluator.Evaluate(scorer, test, seed);
            return new HoldoutCandidate(model, holdout, result, test, evaluator, split.TrainSequences, chosen);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The freshest model: the same recipe trained on everything, each user's newest interactions included, for the
    /// number of epochs the held-out run chose (nothing is left to stop on). Ship it after the gate accepted the
    /// held-out candidate; its own quality shows on the next period's events.
    /// </summary>
    public static SequenceModel Refit(InteractionData data, ModelConfig config, int epochs, int seed) =>
        Refit(config, data.Items, data.Sequences, epochs, seed, out _, shown: data.Shown, sameTime: data.SameTime, times: data.Times);

    /// <summary>
    /// The refit on given sequences (e.g. a time split's everything-before-the-cutoff): a fresh model of
    /// <paramref name="config"/> trained for <paramref name="epochs"/> (at least one) with no validation;
    /// <paramref name="run"/> says how it went (a budget may end it sooner).
    /// </summary>
    public static SequenceModel Refit(ModelConfig config, ItemVocabulary items, IReadOnlyList<int[]> sequences, int epochs, int seed, out TrainingResult run,
        Action<EpochRecord>? onEpoch = null, IReadOnlyList<ShownItem[]>? shown = null, IReadOnlyList<bool[]>? sameTime = null,
        IReadOnlyList<long[]>? times = null, TimeSpan? budget = null)
    {
        var model = ModelFactory.Create(config, items);
        try
        {
            run = new SequenceTrainer(model, seed).Train(sequences, validate: null, Math.Max(1, epochs), onEpoch, shown, sameTime, budget, times: times);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
