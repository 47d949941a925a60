using OnDeviceReco.Trainer.Privacy;

namespace OnDeviceReco.Trainer.Models;

/// <summary>How a sequence model is trained.</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy over every item (Klenitskiy &amp; Vasilev, RecSys'23).</summary>
    FullSoftmax,
    /// <summary>The original SASRec recipe: binary cross-entropy with one random negative per position.</summary>
    BceOneNegative,
    /// <summary>
    /// Softmax cross-entropy over the target and <see cref="ModelConfig.Negatives"/> items drawn uniformly per batch
    /// (shared by every position), each negative's logit raised by log(items / negatives) — the logQ correction that
    /// makes the sample stand for the whole catalogue. An epoch's cost no longer grows with the number of items; the
    /// model and its exported graph are the same (inference still scores every item).
    /// </summary>
    SampledSoftmax,
}

/// <summary>Hyperparameters of one sequence model. Defaults were chosen on the validation split only.</summary>
public sealed record ModelConfig
{
    public required string Name { get; init; }
    public required string Architecture { get; init; } // "sasrec" or "gru"
    public LossKind Loss { get; init; } = LossKind.FullSoftmax;
    public int Dimension { get; init; } = 64;
    public int Blocks { get; init; } = 2;
    public int Heads { get; init; } = 1;
    public int MaxLength { get; init; } = 50;
    public double Dropout { get; init; } = 0.2;
    public double LearningRate { get; init; } = 1e-3;
    public int BatchSize { get; init; } = 32;
    public int MaxEpochs { get; init; } = 60;
    public int EvaluateEvery { get; init; } = 5;
    public int Patience { get; init; } = 3;
    public bool UseContent { get; init; } = true;

    /// <summary>
    /// Weight of the pairwise loss that puts each target above the items the user was shown and never took
    /// (impressions synced by devices); 0 ignores impressions.
    /// </summary>
    public double ShownNegativeWeight { get; init; }

    /// <summary>
    /// Negatives per batch for <see cref="LossKind.SampledSoftmax"/>. 4,096 rather than 1,024: no worse on validation,
    /// and fewer negatives bias the sampled loss more; the cost per step stays far below full softmax at large
    /// catalogues (measurements in docs/measurements.md).
    /// </summary>
    public int Negatives { get; init; } = 4096;

    /// <summary>
    /// Train on runs of same-time interactions in a fresh random order every epoch (see <c>TieOrder</c>); only data
    /// with timestamps has such runs (MovieLens, interaction files — not the feedback store, whose order is the
    /// device's own). On by default: chosen on validation with ties listed at random (three seeds: 0.0858 vs 0.0835,
    /// and a seed-to-seed test spread of 0.0002 instead of 0.0046).
    /// </summary>
    public bool ShuffleTies { get; init; } = true;

    /// <summary>
    /// User-level differential privacy (<see cref="UserLevelPrivacy"/>); null trains without. A private recipe
    /// trains exactly <see cref="MaxEpochs"/> epochs and keeps the last weights: stopping on validation would make the
    /// released model depend on data the accountant does not cover.
    /// </summary>
    public UserLevelPrivacy? Privacy { get; init; }

    /// <summary>
    /// Items are adaptor(sentence vector of their text) + a per-item ID offset (zero at start, L2-penalised by
    /// <see cref="IdPenalty"/>, dropped with probability <see cref="IdDrop"/> per row in training), after DenseRec and
    /// "Let It Go? Not Quite" (RecSys 2025): the text path alone must rank, so an item no one has played yet is placed
    /// by what it is. Needs text vectors attached to the vocabulary.
    /// </summary>
    public bool UseText { get; init; }

    /// <summary>Probability that a row's ID offset is zeroed in a training step (text recipes).</summary>
    public double IdDrop { get; init; } = 0.5;

    /// <summary>Weight of the mean squared norm of the ID offsets added to the loss (text recipes).</summary>
    public double IdPenalty { get; init; } = 1e-3;

    /// <summary>How a text recipe places items without an ID part outside training (<see cref="NoIdCalibration"/>).</summary>
    public NoIdCalibration NoId { get; init; } = NoIdCalibration.None;

    /// <summary>
    /// Adds a learnt per-dimension weight β times the newest history item's row to the user vector (text recipes), so
    /// a score holds β·(newest row ⊙ item row): for two items without an ID part, a similarity of their texts'
    /// places. A new film right after another new film of its year then rises for that user only, where a global
    /// placement of new items (<see cref="NoId"/>) would lift them for every user.
    /// </summary>
    public bool NewestItem { get; init; }

    /// <summary>
    /// What <see cref="NewestItem"/>'s learnt β gets added outside training (<c>SequenceModel.NewestBoost</c>) unless a
    /// validation replay chooses again (the time split does).
    /// </summary>
    public double NewestBoost { get; init; }

    /// <summary>
    /// Text recipes with <see cref="NewestItem"/>: this many fixed columns appended to every item row, the items' sentence
    /// vectors projected to keep their dot products (<see cref="TextColumns"/>); 0 for none. The sequence encoder reads
    /// the first <see cref="Dimension"/> columns only; the newest-item term carries the rest into the user vector, so a
    /// score gains a learnt, per-column weighing of the text similarity between the newest item and the candidate.
    /// </summary>
    public int TextColumns { get; init; }

    /// <summary>Which items the softmax losses count as negatives at a position (<see cref="NegativePool"/>).</summary>
    public NegativePool NegativePool { get; init; } = NegativePool.Catalogue;

    /// <summary>
    /// The models the evaluate command compares, by report name. Chosen on movielens-small's validation split:
    /// L=50 with batch 32 beat L=200 with batch 64 (more optimiser steps per epoch); lr 1e-3 beat 2e-3.
    /// Epoch caps keep the whole evaluate run inside 20 minutes on two cores.
    /// </summary>
    public static IReadOnlyList<ModelConfig> Catalogue { get; } =
    [
        new() { Name = "sasrec", Architecture = "sasrec" },
        new() { Name = "sasrec-bce", Architecture = "sasrec", Loss = LossKind.BceOneNegative, MaxEpochs = 100 },
        // Its epochs are cheaper and it learns less per epoch: at 60 epochs its validation NDCG@10 was still rising
        // (best epoch 55 of 60), so it gets a higher cap; early stopping ends it as for the others.
        new() { Name = "sasrec-sampled", Architecture = "sasrec", Loss = LossKind.SampledSoftmax, MaxEpochs = 150 },
        new() { Name = "sasrec-shown", Architecture = "sasrec", ShownNegativeWeight = 1 },
        // At a 40-epoch cap its best epoch was the 40th (still improving), so the cap cut it off; patience (3
        // evaluations without improvement) is its stopping rule and 80 only a ceiling: at 6.5 s/epoch on
        // movielens-small the ceiling adds at most 4.3 minutes to evaluate.
        new() { Name = "gru", Architecture = "gru", MaxEpochs = 80 },
        // User-level DP (off unless listed): a fixed number of epochs, since stopping on validation is not covered by
        // the accountant; ε = 8 at δ = 1/users with C = 1 and 4 % of the users (at least 256) per step unless overridden.
        // lr 2e-2: Adam moves each coordinate by about the learning rate per step, and a private run takes few steps
        // (25 per epoch at q 0.04); on 50,000 generated users' validation, 2e-2 reached NDCG@10 0.3409 after 150
        // steps where 5e-3 reached 0.2379 (docs/privacy.md).
        new() { Name = "sasrec-dp", Architecture = "sasrec", MaxEpochs = 20, LearningRate = 2e-2, Privacy = new UserLevelPrivacy() },
        // Text and ID together (UseText); the genre projection is left out: the text already names the categories.
        // Negatives only among trained items: chosen on movielens-small's time-split validation (new-item NDCG@10
        // 0.0110 vs 0.0021 with the whole catalogue, overall 0.0408 vs 0.0431; released-by-time: new 0.0125, overall 0.0322).
        // The newest item in the user vector, boost 4: the time split's validation replay on movielens-small chose it (all /
        // new NDCG@10 0.0460 / 0.0146 vs 0.0413 / 0.0133 with β alone).
        new() { Name = "sasrec-text", Architecture = "sasrec", UseText = true, UseContent = false, NegativePool = NegativePool.Trained, NewestItem = true, NewestBoost = 4 },
        new() { Name = "gru-text", Architecture = "gru", UseText = true, UseContent = false, MaxEpochs = 80, NegativePool = NegativePool.Trained, NewestItem = true, NewestBoost = 4 },
    ];
}
