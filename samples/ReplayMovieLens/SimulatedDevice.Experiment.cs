using OnDeviceReco;

namespace ReplayMovieLens;

internal sealed partial class SimulatedDevice
{
    /// <summary>
    /// Phase C, visit <paramref name="visit"/> of <paramref name="visits"/>: the user lives their held-out future
    /// (<see cref="UserHistory.Future"/>) in that many slices. The app starts; on the first visit it syncs first, and
    /// so learns its arm (a device on the treatment hot-swaps the new model) and is judged on the held-out target.
    /// It shows a fresh top-10 (impressions, labelled with the arm) and the user plays each shown movie still ahead in
    /// their future — taken now, from this answer; then they watch this visit's slice of the future on their own
    /// (ratings, which also change the next visit's answer: the model sees the newer history, and what was played or
    /// rated is not shown again); sync, which sends all of it and picks up whatever the server decided since.
    /// </summary>
    public async Task<DeviceStep> VisitAsync(int visit, int visits)
    {
        await using var client = Open();
        SyncResult? pulled = visit == 0 ? await client.SyncAsync() : null;
        var (ndcg, hit, answer) = Judge(client);
        long? loaded = client.Model?.ModelVersion;
        string? arm = client.Arm?.Arm;
        client.RecordImpressions(user.UserId, answer);
        int from = FutureSlice(visit, visits), to = FutureSlice(visit + 1, visits);
        var ahead = user.Future.Skip(from).Select(r => r.MovieId).ToHashSet(StringComparer.Ordinal);
        int taken = 0;
        foreach (var rec in answer)
        {
            if (ahead.Contains(rec.ItemId))
            {
                client.RecordClick(user.UserId, answer, rec.ItemId, EventType.Play);
                taken++;
            }
        }
        foreach (var rating in user.Future.Take(to).Skip(from))
        {
            client.Track(user.UserId, rating.MovieId, EventType.Rate, rating.Stars, rating.Time + shift);
        }
        var pushed = await client.SyncAsync();
        return new DeviceStep(answer.Count + taken + (to - from), pulled is null ? pushed : Merge(pulled, pushed), visit == 0 ? ndcg : null, visit == 0 ? hit : null,
            answer.Count, taken, Answer: answer, LoadedVersion: loaded, Arm: arm);
    }

    /// <summary>Where the future's slice for <paramref name="visit"/> starts; a future shorter than the visits is lived at the later ones.</summary>
    private int FutureSlice(int visit, int visits) => visit * user.Future.Count / visits;
}
