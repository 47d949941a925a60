namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>Full-ranking and beyond-accuracy metrics over one set of (history, target) cases.</summary>
public sealed record RankingMetrics(
    double HitRate10,
    double Ndcg10,
    double Mrr,
    double Recall20,
    double SampledHitRate10,
    double SampledNdcg10,
    double Coverage10,
    double Diversity10,
    double Novelty10,
    int Cases);
