using OnDeviceReco;

namespace ReplayMovieLens;

/// <summary>What a device's step reports back to the simulation.</summary>
internal sealed record DeviceStep(int Tracked, SyncResult Sync, double? Ndcg10 = null, bool? Hit10 = null, int Shown = 0, int Taken = 0,
    RecommendationList? Answer = null, IReadOnlySet<string>? ShownItems = null, int CatalogueSize = 0, long? LoadedVersion = null, string? Arm = null);

/// <summary>
/// One phone: its own SQLite store and model directory under <c>root/</c>, opened for each step and closed after
/// it, as an app would be started and stopped. Consent is granted; the app ships the server's public key.
/// </summary>
internal sealed partial class SimulatedDevice(UserHistory user, string root, Uri server, string trustedKeyPem, TimeSpan shift,
    ExplorationPlan? exploration = null)
{
    public UserHistory User => user;

    private RecoClient Open()
    {
        // An app's private data directory exists before the SDK starts; here it is made on first start.
        Directory.CreateDirectory(root);
        return new RecoClient(Options());
    }

    private RecoClientOptions Options() => new()
    {
        Store = new StoreOptions { DatabasePath = Path.Combine(root, "store.db"), MaxAge = TimeSpan.FromDays(365 * 30) },
        InitialConsent = ConsentState.Granted,
        PopularityWindow = TimeSpan.FromDays(365 * 30),
        TrustedModelKeys = [trustedKeyPem],
        Sync = new SyncOptions
        {
            ServerUri = server,
            ApiKey = LoopServer.ApiKey,
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(5),
        },
    };

    /// <summary>Phase A: the user's early months, then a sync (no model exists yet: popularity and content serve).</summary>
    public async Task<DeviceStep> LiveEarlyAsync()
    {
        await using var client = Open();
        foreach (var rating in user.Early)
        {
            client.Track(user.UserId, rating.MovieId, EventType.Rate, rating.Stars, rating.Time + shift);
        }
        return new DeviceStep(user.Early.Count, await client.SyncAsync());
    }

    /// <summary>
    /// Phase B: sync picks up model v1; the app shows its recommendations (impressions), the user lives the later
    /// months — taking some of what was shown (clicks) — and then is judged on the held-out next rating; sync.
    /// </summary>
    public async Task<DeviceStep> LiveLaterAsync()
    {
        if (exploration is not null)
        {
            return await LiveLaterExploringAsync(exploration);
        }
        await using var client = Open();
        var pulled = await client.SyncAsync();
        var shown = client.Recommend(user.UserId, 10);
        client.RecordImpressions(user.UserId, shown);
        var shownIds = shown.Select(r => r.ItemId).ToHashSet();
        int tracked = 0, taken = 0;
        foreach (var rating in user.Later)
        {
            if (shownIds.Remove(rating.MovieId))
            {
                client.RecordClick(user.UserId, shown, rating.MovieId, rating.Time + shift); // taken when rated: folded into the rating
                taken++;
                tracked++;
            }
            client.Track(user.UserId, rating.MovieId, EventType.Rate, rating.Stars, rating.Time + shift);
            tracked++;
        }
        tracked += shown.Count;
        var (ndcg, hit, _) = Judge(client);
        var pushed = await client.SyncAsync();
        return new DeviceStep(tracked, Merge(pulled, pushed), ndcg, hit, shown.Count, taken, ShownItems: shown.Select(r => r.ItemId).ToHashSet(),
            CatalogueSize: client.Model?.Items ?? 0);
    }

    /// <summary>The app starts and syncs once more (after the experiment's decision): a device on a rolled-back arm returns to the serving version.</summary>
    public async Task<DeviceStep> SyncAgainAsync()
    {
        await using var client = Open();
        return new DeviceStep(0, await client.SyncAsync());
    }

    /// <summary>Removes the device's files.</summary>
    public void Delete() => Directory.Delete(root, recursive: true);

    /// <summary>Top-10 from the SDK as the app would show it; NDCG@10 and hit of the held-out rating.</summary>
    private (double Ndcg, bool Hit, RecommendationList Answer) Judge(RecoClient client)
    {
        var answer = client.Recommend(user.UserId, 10);
        for (int i = 0; i < answer.Count; i++)
        {
            if (answer[i].ItemId == user.Target.MovieId)
            {
                return (1 / Math.Log2(i + 2), true, answer);
            }
        }
        return (0, false, answer);
    }

    private static SyncResult Merge(SyncResult first, SyncResult second) => second with
    {
        EventsSent = first.EventsSent + second.EventsSent,
        EventsAlreadyOnServer = first.EventsAlreadyOnServer + second.EventsAlreadyOnServer,
        Batches = first.Batches + second.Batches,
        Attempts = first.Attempts + second.Attempts,
        ModelUpdated = first.ModelUpdated || second.ModelUpdated,
        Status = first.Status != SyncStatus.Completed ? first.Status : second.Status,
    };
}
