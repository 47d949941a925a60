using System.Diagnostics;
using OnDeviceReco;
using ReplayMovieLens;

// Replays MovieLens users' ratings into an on-device store, then prints what the device knows about a
// few of them and what it recommends. Usage: [--data DIR] [--users N] [--show N] [--db PATH]
string dataDir = Arg("--data") ?? MovieLensFiles.FindDefaultDirectory();
int users = int.Parse(Arg("--users") ?? "150", System.Globalization.CultureInfo.InvariantCulture);
int show = int.Parse(Arg("--show") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
string dbPath = Arg("--db") ?? Path.Combine(Path.GetTempPath(), $"odr-replay-{Environment.ProcessId}.db");

var movies = MovieLensFiles.ReadMovies(dataDir);
var ratings = MovieLensFiles.ReadRatings(dataDir);
var replayed = ratings.Select(r => r.UserId).Distinct().Take(users).ToHashSet();
// Shift history so the newest rating happened a minute ago: recency, decay and popularity windows then
// behave as on a device that recorded these events live.
var shift = DateTimeOffset.UtcNow.AddMinutes(-1) - ratings.Max(r => r.Time);

var stopwatch = Stopwatch.StartNew();
await using var client = new RecoClient(new RecoClientOptions
{
    // MovieLens spans two decades; keep all of it.
    Store = new StoreOptions { DatabasePath = dbPath, MaxAge = TimeSpan.FromDays(365 * 30) },
    InitialConsent = ConsentState.LocalOnly,
    PopularityWindow = TimeSpan.FromDays(365 * 30),
});
client.UpsertItems(movies.Values.Select(m => new ItemMetadata(m.MovieId, m.Genres, new Dictionary<string, string> { ["title"] = m.Title })));
int tracked = 0;
foreach (var rating in ratings.Where(r => replayed.Contains(r.UserId)))
{
    client.Track(rating.UserId, rating.MovieId, EventType.Rate, rating.Stars, rating.Time + shift);
    tracked++;
}
await client.FlushAsync();
Console.WriteLine($"Replayed {tracked:N0} ratings of {replayed.Count} MovieLens users and {movies.Count:N0} movies into {dbPath} in {stopwatch.Elapsed.TotalMilliseconds:N0} ms.");
Console.WriteLine($"Store: {client.Health.OpenState}, {client.Statistics.StoredEvents:N0} events stored, consent {client.Consent}.");

string Title(string id) => movies.TryGetValue(id, out var m) ? m.Title : id;
foreach (var userId in replayed.Take(show))
{
    var profile = client.GetProfile(userId);
    Console.WriteLine();
    Console.WriteLine($"== user {userId}: {profile.TotalEvents} ratings in {profile.SessionCount} sessions, last active {profile.Recency(DateTimeOffset.UtcNow)?.TotalDays:N0} days ago");
    Console.WriteLine("   taste:  " + string.Join(", ", profile.CategoryAffinities.Take(4).Select(a => $"{a.Category} {a.Score:P0}")));
    Console.WriteLine("   recent: " + string.Join(" → ", client.GetRecentSequence(userId, 4).Select(r => $"{Title(r.ItemId)} ({r.Value:0.#}★)")));
    var timer = Stopwatch.StartNew();
    var recommendations = client.Recommend(userId, 5);
    timer.Stop();
    Console.WriteLine($"   recommended ({timer.Elapsed.TotalMilliseconds:0.00} ms):");
    foreach (var rec in recommendations)
    {
        Console.WriteLine($"     {rec.Rank}. {Title(rec.ItemId)} [{rec.Source}] {rec.Reason}");
    }
}

await client.DisposeAsync();
if (Arg("--db") is null)
{
    foreach (var file in Directory.GetFiles(Path.GetDirectoryName(dbPath)!, Path.GetFileName(dbPath) + "*"))
    {
        File.Delete(file);
    }
}

string? Arg(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
