using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Server.Retraining;

/// <summary>One recipe's showing in a run: its best validation NDCG@10, the epoch it reached it and why training stopped.</summary>
public sealed record RecipeScore(string Name, double ValidationNdcg10, int BestEpoch, string Stopped = "epoch cap");

/// <summary>The recipe a run chose, its trained candidate (the caller disposes the model) and every recipe's score.</summary>
public sealed record RecipeChoice(ModelConfig Config, HoldoutCandidate Candidate, IReadOnlyList<RecipeScore> Scores)
{
    /// <summary>
    /// Trains every recipe on the same data and split from the same seed and keeps the one with the best validation
    /// NDCG@10 (each user's second-newest event; ties go to the recipe listed first). The choice never looks at the
    /// newest events, so the gate's comparison with the serving model on them stays a fair, unselected test.
    /// </summary>
    /// <param name="budget">Wall-clock training limit per recipe; null for none.</param>
    public static RecipeChoice Train(InteractionData data, IReadOnlyList<ModelConfig> recipes, int seed, int threads,
        Action<ModelConfig, EpochRecord> onEpoch, CancellationToken cancellationToken, TimeSpan? budget = null)
    {
        HoldoutCandidate? best = null;
        ModelConfig? bestConfig = null;
        var scores = new List<RecipeScore>();
        try
        {
            foreach (var config in recipes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TorchRuntime.Configure(threads, seed); // every recipe starts from the same random state
                var candidate = HoldoutTraining.Train(data, config, seed, epoch => onEpoch(config, epoch), budget);
                scores.Add(new RecipeScore(config.Name, candidate.Training.BestValidationNdcg10, candidate.Training.BestEpoch, candidate.Training.StoppedText));
                if (best is null || candidate.Training.BestValidationNdcg10 > best.Training.BestValidationNdcg10)
                {
                    best?.Model.Dispose();
                    (best, bestConfig) = (candidate, config);
                }
                else
                {
                    candidate.Model.Dispose();
                }
            }
        }
        catch
        {
            best?.Model.Dispose();
            throw;
        }
        return new RecipeChoice(bestConfig!, best!, scores);
    }
}
