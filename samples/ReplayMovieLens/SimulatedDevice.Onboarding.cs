using OnDeviceReco;
using OnDeviceReco.Trainer.Evaluation;

namespace ReplayMovieLens;

/// <summary>
/// A newcomer's onboarding measured: questions asked, answers given (rated items), of which liked, and recall@10 of the
/// onboarded list and of popularity against the same set — all the newcomer's ratings not used as answers.
/// </summary>
internal sealed record OnboardingStep(SyncResult Sync, int Asked, int Answered, int Liked, double OnboardingRecall, double PopularityRecall);

internal sealed partial class SimulatedDevice
{
    /// <summary>A top rating or better counts as "liked" when a newcomer answers from their own history.</summary>
    private const double LikedStars = 4.0;

    /// <summary>A newcomer who knows too few of the proposed items stops being asked after this many questions.</summary>
    internal const int MaxQuestions = 50;

    /// <summary>
    /// A newcomer held back from phases A–C: the app starts (sync pulls the serving model) and the popularity list is
    /// taken with nothing known; then onboarding questions are proposed, a page of as many as answers are still
    /// missing at a time, and answered from all of the user's ratings — rated ≥ 4 liked, rated lower disliked, never
    /// rated not seen (recorded, so it is not asked again, and not an answer) — until <paramref name="answers"/> of them
    /// were rated or <see cref="MaxQuestions"/> were asked. The rated answers leave the test set; the onboarded top-10
    /// and popularity's top-10 (the answered items taken out, as the onboarded list leaves them out) are judged by
    /// recall against all the remaining ratings. Nothing is synced after the answers, so the loop's event counts are
    /// those of phases A–C.
    /// </summary>
    public async Task<OnboardingStep> OnboardAsync(int answers)
    {
        await using var client = Open();
        var sync = await client.SyncAsync();
        var popular = client.Recommend(user.UserId, 10 + answers).Select(r => r.ItemId).ToList();
        var stars = user.Early.Concat(user.Later).Concat(user.Future).GroupBy(r => r.MovieId)
            .ToDictionary(g => g.Key, g => g.Last().Stars, StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        int asked = 0, liked = 0;
        while (answered.Count < answers && asked < MaxQuestions)
        {
            var page = client.ProposeOnboardingItems(user.UserId, Math.Min(answers - answered.Count, MaxQuestions - asked));
            if (page.Count == 0)
            {
                break;
            }
            foreach (var question in page.TakeWhile(_ => answered.Count < answers))
            {
                asked++;
                var answer = !stars.TryGetValue(question.ItemId, out double rated) ? OnboardingAnswer.NotSeen
                    : rated >= LikedStars ? OnboardingAnswer.Liked : OnboardingAnswer.Disliked;
                client.RecordOnboardingAnswer(user.UserId, question.ItemId, answer);
                if (answer != OnboardingAnswer.NotSeen)
                {
                    answered.Add(question.ItemId);
                    liked += answer == OnboardingAnswer.Liked ? 1 : 0;
                }
            }
        }
        var remaining = stars.Keys.Where(id => !answered.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var onboarded = client.Recommend(user.UserId, 10).Select(r => r.ItemId);
        return new OnboardingStep(sync, asked, answered.Count, liked,
            ElicitationRecall.RecallAt(onboarded, remaining), ElicitationRecall.RecallAt(popular.Where(id => !answered.Contains(id)), remaining));
    }
}
