using OnDeviceReco;

namespace ReplayMovieLens;

/// <summary>A newcomer's onboarding measured: whether the held-out item was in the top-10 before any answer and after 3 and 5.</summary>
internal sealed record OnboardingStep(SyncResult Sync, int Asked, int Liked, bool PopularityHit, bool HitAfter3, bool HitAfter5);

internal sealed partial class SimulatedDevice
{
    /// <summary>A top rating or better counts as "liked" when a newcomer answers from their own history.</summary>
    private const double LikedStars = 4.0;

    /// <summary>
    /// A newcomer held back from phases A–C: the app starts (sync pulls the serving model), the top-10 is judged
    /// with nothing known (popularity only), then <paramref name="questions"/> onboarding items are proposed and
    /// answered from the user's own ratings before the held-out one — rated ≥ 4 liked, rated lower disliked,
    /// never rated not seen — and the top-10 is judged after 3 and after all answers. Nothing is synced after the
    /// answers, so the loop's event counts are those of phases A–C.
    /// </summary>
    public async Task<OnboardingStep> OnboardAsync(int questions)
    {
        await using var client = Open();
        var sync = await client.SyncAsync();
        // A newcomer's held-out rating is their newest, everything before it is what they answer from.
        var heldOut = user.Future[^1];
        bool Hit() => client.Recommend(user.UserId, 10).Any(r => r.ItemId == heldOut.MovieId);
        bool popularity = Hit();
        var stars = user.Early.Concat(user.Later).Concat(user.Future.SkipLast(1)).GroupBy(r => r.MovieId).ToDictionary(g => g.Key, g => g.Last().Stars, StringComparer.Ordinal);
        var asked = client.ProposeOnboardingItems(user.UserId, questions);
        bool? after3 = null;
        int liked = 0;
        for (int i = 0; i < asked.Count; i++)
        {
            var answer = !stars.TryGetValue(asked[i].ItemId, out double rated) ? OnboardingAnswer.NotSeen
                : rated >= LikedStars ? OnboardingAnswer.Liked : OnboardingAnswer.Disliked;
            liked += answer == OnboardingAnswer.Liked ? 1 : 0;
            client.RecordOnboardingAnswer(user.UserId, asked[i].ItemId, answer);
            if (i == 2)
            {
                after3 = Hit();
            }
        }
        bool after5 = asked.Count == 0 ? popularity : Hit(); // fewer than 5 proposed: after all of them
        return new OnboardingStep(sync, asked.Count, liked, popularity, after3 ?? after5, after5);
    }
}
