using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>One model trained and scored with one seed; <paramref name="Recipe"/> says how it was trained and why.</summary>
public sealed record ModelReport(string Name, int Seed, RankingMetrics Test, TrainingResult? Training, string? Recipe = null);

/// <summary>One model's runs, one per seed, in seed order.</summary>
public sealed record ModelRuns(string Name, IReadOnlyList<ModelReport> Runs);

/// <summary>The whole evaluation: what was run, on what, with which seeds, and every model's test metrics.</summary>
public sealed record EvaluationReport(string Dataset, string Protocol, int Users, int Items, int Interactions, IReadOnlyList<int> Seeds, IReadOnlyList<ModelRuns> Models);
