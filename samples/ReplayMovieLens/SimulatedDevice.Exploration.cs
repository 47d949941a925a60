using OnDeviceReco;

namespace ReplayMovieLens;

internal sealed partial class SimulatedDevice
{
    /// <summary>
    /// Phase B under an <see cref="ExplorationPlan"/>: the later months in <see cref="ExplorationPlan.Sessions"/>
    /// visits; each visit shows a fresh top-10 (impressions), and the user takes what was shown in that visit when
    /// they rate it (clicks). Judged like <see cref="LiveLaterAsync"/>, without exploration.
    /// </summary>
    private async Task<DeviceStep> LiveLaterExploringAsync(ExplorationPlan plan)
    {
        await using var client = Open();
        var pulled = await client.SyncAsync();
        var everShown = new HashSet<string>(StringComparer.Ordinal);
        int tracked = 0, taken = 0, shownCount = 0;
        int sessions = Math.Max(1, Math.Min(plan.Sessions, user.Later.Count));
        for (int session = 0; session < sessions; session++)
        {
            var shown = client.Recommend(user.UserId, 10, plan.Options(user.UserId, session));
            client.RecordImpressions(user.UserId, shown);
            shownCount += shown.Count;
            tracked += shown.Count;
            everShown.UnionWith(shown.Select(r => r.ItemId));
            var open = shown.Select(r => r.ItemId).ToHashSet();
            int from = session * user.Later.Count / sessions, to = (session + 1) * user.Later.Count / sessions;
            foreach (var rating in user.Later.Take(to).Skip(from))
            {
                if (open.Remove(rating.MovieId))
                {
                    client.RecordClick(user.UserId, shown, rating.MovieId, rating.Time + shift); // taken when rated: folded into the rating
                    taken++;
                    tracked++;
                }
                client.Track(user.UserId, rating.MovieId, EventType.Rate, rating.Stars, rating.Time + shift);
                tracked++;
            }
        }
        var (ndcg, hit, _) = Judge(client);
        var pushed = await client.SyncAsync();
        return new DeviceStep(tracked, Merge(pulled, pushed), ndcg, hit, shownCount, taken, ShownItems: everShown, CatalogueSize: client.Model?.Items ?? 0);
    }
}
