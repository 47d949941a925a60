using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>One model's line in the evaluation report.</summary>
public sealed record ModelReport(string Name, RankingMetrics Test, TrainingResult? Training);

/// <summary>The whole evaluation: what was run, on what, and every model's test metrics.</summary>
public sealed record EvaluationReport(string Dataset, string Protocol, int Users, int Items, int Interactions, int Seed, IReadOnlyList<ModelReport> Models);
