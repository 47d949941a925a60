using System.Diagnostics;
using System.Globalization;
using OnDeviceReco;
using OnDeviceReco.Server.Experiments;
using ReplayMovieLens;

// The whole feedback loop on one machine: a real server on loopback, one simulated phone per MovieLens user
// (its own SQLite store), sync with consent, automatic retraining on the server, signed models delivered and
// hot-swapped, and what changed; then newcomers held back from all of it are onboarded. Usage: [--data DIR]
// [--devices N] [--epochs N] [--parallel N] [--keep DIR] [--seed N] [--newcomers SHARE] [--newcomer-seed N] [--exploration none|ucb|random]
// [--exploration-share S] [--sessions N] [--bad-candidate] [--visits N]. Research on a run kept with --keep DIR (recipe comparisons, onboarding against
// the kept model): bench/OnDeviceReco.Experiments.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string dataDir = Arg("--data") ?? MovieLensFiles.FindDefaultDirectory();
int deviceCount = int.Parse(Arg("--devices") ?? "100000", CultureInfo.InvariantCulture);
int epochs = int.Parse(Arg("--epochs") ?? "30", CultureInfo.InvariantCulture);
int parallel = int.Parse(Arg("--parallel") ?? "2", CultureInfo.InvariantCulture);
int seed = int.Parse(Arg("--seed") ?? "42", CultureInfo.InvariantCulture);
bool badCandidate = args.Contains("--bad-candidate");
int visits = int.Parse(Arg("--visits") ?? "5", CultureInfo.InvariantCulture);
var exploration = ExplorationPlan.Parse(Arg("--exploration"), Arg("--exploration-share"), Arg("--sessions"), seed);
string root = Arg("--keep") ?? Path.Combine(Path.GetTempPath(), $"odr-loop-{Environment.ProcessId}");
var total = Stopwatch.StartNew();

var movies = MovieLensFiles.ReadMovies(dataDir);
var (users, newcomerUsers) = LoopUsers.Load(dataDir, deviceCount,
    double.Parse(Arg("--newcomers") ?? $"{Newcomers.DefaultShare}", CultureInfo.InvariantCulture), int.Parse(Arg("--newcomer-seed") ?? $"{Newcomers.MeasuredSelectionSeed}", CultureInfo.InvariantCulture));
var shift = LoopUsers.Shift(users);
string Title(string id) => movies.TryGetValue(id, out var m) ? m.Title : id;

await using var server = await LoopServer.StartAsync(Path.Combine(root, "server"), dataDir, epochs, seed);
Console.WriteLine($"Server on {server.Address} (data in {root}/server); it retrains by itself once a phase's events are all in"
    + " (the loop sets its threshold to the phase's event count, so every run with the same seed trains on the same events).");
var devices = users.Select(u => new SimulatedDevice(u, Path.Combine(root, "devices", u.UserId), server.Address, server.PublicKeyPem, shift, exploration)).ToList();
Console.WriteLine($"{devices.Count} devices, one per MovieLens user of {dataDir}; each user's newest ratings (a fifth, 1 to {UserHistory.MaxFuture}) are held out as their future:"
    + " the first is what recommendations are judged on, all of them are what users take in the experiment;"
    + $" {newcomerUsers.Count} more users are held back as newcomers.");

Console.WriteLine();
Console.WriteLine("Phase A — devices record their users' early months and sync (no model yet: popularity and content serve).");
var early = await RunAll(devices, d => d.LiveEarlyAsync());
Report(early);
var stats = await WaitForModel(1, (await server.StatsAsync()).Events, TimeSpan.FromMinutes(20));
if (stats is null)
{
    return 1;
}
await PrintModels();

Console.WriteLine();
Console.WriteLine("Phase B — devices pull model v1 and show its recommendations; users live their later months (taking some of what was shown); sync.");
long storedBeforeB = stats.Events;
var later = await RunAll(devices, d => d.LiveLaterAsync());
Report(later);
double ndcgBefore = later.Average(s => s.Ndcg10!.Value);
double hitBefore = later.Average(s => s.Hit10!.Value ? 1.0 : 0.0);
int shown = later.Sum(s => s.Shown), taken = later.Sum(s => s.Taken);
Console.WriteLine($"  served by model v{Versions(later)}: HR@10 {hitBefore:0.0000}, NDCG@10 {ndcgBefore:0.0000} on each user's held-out next rating");
Console.WriteLine($"  shown {shown:N0} recommendations, {taken:N0} later taken ({(double)taken / Math.Max(1, shown):P1}): synced as impressions and clicks");
double coverage = later.SelectMany(s => s.ShownItems ?? new HashSet<string>()).Distinct().Count() / (double)Math.Max(1, later.Max(s => s.CatalogueSize));
Console.WriteLine($"  exploration {exploration?.Name ?? "none"} ({exploration?.Sessions ?? 1} visits per user): {coverage:P1} of v1's catalogue shown at least once");
stats = badCandidate ? server.PublishBrokenCandidate(2, seed) : await WaitForModel(2, (await server.StatsAsync()).Events - storedBeforeB, TimeSpan.FromMinutes(30));
if (stats is null)
{
    return 1;
}
await PrintModels();
var experiment = await server.ExperimentTryingAsync(2, TimeSpan.FromSeconds(10));
if (experiment is null)
{
    Console.Error.WriteLine("The loop stopped: v2 was published without an experiment.");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"Phase C — v2{(badCandidate ? " (broken on purpose: item vectors shuffled)" : "")} against v1 as a {experiment.TreatmentShare:P0} experiment ({experiment.Id}), in {visits} visits:"
    + " apps restart and sync, learn their arm, devices on the treatment verify and hot-swap v2; at each visit the answer is shown and each shown movie still ahead in the user's held-out future is played,"
    + $" then the user watches the next {1.0 / visits:P0} of that future on their own; sync. The server looks at the experiment after each round of syncs and decides as soon as its always-valid interval allows.");
var rounds = new List<DeviceStep[]>();
ExperimentEvaluation look;
do
{
    int visit = rounds.Count;
    var round = await RunAll(devices, d => d.VisitAsync(visit, visits));
    Report(round);
    rounds.Add(round);
    look = await server.EvaluateAsync(experiment.Id);
    Console.WriteLine($"  look {rounds.Count}: take rate v{experiment.ControlVersion} {look.Control.TakeRate:0.00000} ({look.Control.Devices} devices, {look.Control.Impressions} impressions),"
        + $" v{experiment.TreatmentVersion} {look.Treatment.TakeRate:0.00000} ({look.Treatment.Devices}, {look.Treatment.Impressions}); difference {look.Difference:+0.00000;-0.00000}"
        + $" [95% {look.Ci95Low:0.00000}, {look.Ci95High:0.00000}], always-valid [{look.SequentialLow:0.00000}, {look.SequentialHigh:0.00000}]: {look.Decision}");
}
while (look.Decision == ExperimentBook.Continue && rounds.Count < visits);
var after = rounds[0];
var armOf = after.Select(s => s.Arm).ToArray();
var onArm = after.Select((s, i) => (After: s, Before: later[i])).ToLookup(p => p.After.Arm);
var treated = onArm[ExperimentDefinition.TreatmentArm].ToList();
var controls = onArm[ExperimentDefinition.ControlArm].ToList();
double ndcgAfter = Mean(treated, p => p.After.Ndcg10!.Value), ndcgControl = Mean(controls, p => p.After.Ndcg10!.Value);
double hitAfter = Mean(treated, p => p.After.Hit10!.Value ? 1 : 0), hitControl = Mean(controls, p => p.After.Hit10!.Value ? 1 : 0);
Console.WriteLine($"  {treated.Count} devices on the treatment (v{experiment.TreatmentVersion}): HR@10 {hitAfter:0.0000}, NDCG@10 {ndcgAfter:0.0000} at the first visit (the same devices on v1 in phase B: {Mean(treated, p => p.Before.Ndcg10!.Value):0.0000});"
    + $" {controls.Count} on the control (v{experiment.ControlVersion}): HR@10 {hitControl:0.0000}, NDCG@10 {ndcgControl:0.0000} (phase B: {Mean(controls, p => p.Before.Ndcg10!.Value):0.0000})");
// Targets whose movie no device had rated before v2 was trained: items v2 never saw in training, only in the catalogue.
var trainedItems = devices.SelectMany(d => d.User.Early.Concat(d.User.Later)).Select(r => r.MovieId).ToHashSet(StringComparer.Ordinal);
var newItemHits = after.Where((s, i) => s.Arm == ExperimentDefinition.TreatmentArm && !trainedItems.Contains(devices[i].User.Target.MovieId))
    .Select(s => s.Hit10!.Value ? 1.0 : 0.0).ToList();
double newItemHr = newItemHits.Count > 0 ? newItemHits.Average() : 0;
Console.WriteLine($"  {newItemHits.Count} treatment devices' held-out movies were never rated before v2 was trained: HR@10 {newItemHr:0.0000} on them");
// What the devices did, counted on the devices over every visit: the server's last look must agree with it.
List<DeviceStep> VisitsOn(string arm) => [.. rounds.SelectMany(r => r.Where((_, i) => armOf[i] == arm))];
long VersionOf(string? arm) => arm == ExperimentDefinition.TreatmentArm ? experiment.TreatmentVersion : experiment.ControlVersion;
int wrongModel = rounds.Sum(r => r.Where((s, i) => armOf[i] is not null && s.LoadedVersion != VersionOf(armOf[i])).Count());
int offArm = rounds.Sum(r => r.Where((s, i) => s.Arm != armOf[i] || s.Arm is null).Count());
Console.WriteLine($"  counted on the devices: take rate v{experiment.ControlVersion} {TakeRate(VisitsOn(ExperimentDefinition.ControlArm)):0.00000}, v{experiment.TreatmentVersion} {TakeRate(VisitsOn(ExperimentDefinition.TreatmentArm)):0.00000}"
    + $" over {rounds.Count} visits (a shown movie taken when it is among the user's {UserHistory.MaxFuture} or fewer held-out future ratings still ahead); {wrongModel} device visits ran another model than their arm's,"
    + $" {offArm} were on no arm or another arm than at their first visit");
// How much of a device's phase-C take rate its own phase-B take rate (before the experiment) predicts: a comparison
// adjusted for it (regression on the pre-experiment metric) would have that share less variance.
double preCorrelation = PreExperimentCorrelation(later, rounds, armOf);
Console.WriteLine($"  per device, take rate in phase B against phase C (within arms): correlation {preCorrelation:0.000}, {preCorrelation * preCorrelation:P0} of the variance");
Console.WriteLine($"  online at look {rounds.Count}: plays per request {look.Control.PlaysPerRequest:0.000} vs {look.Treatment.PlaysPerRequest:0.000}; coverage {look.Control.Coverage:P1} vs {look.Treatment.Coverage:P1}");
Console.WriteLine($"  decision at look {rounds.Count}: {look.Decision} — {look.Reason}");
var again = await RunAll(devices, d => d.SyncAgainAsync());
int onRolledBack = look.Decision == ExperimentBook.Rollback ? again.Count(s => s.Sync.ModelVersion == experiment.TreatmentVersion) : 0;
Console.WriteLine($"  apps sync again: serving v{Versions(again)}; {onRolledBack} devices left on a rolled-back model");

foreach (var (device, step) in devices.Zip(after).Take(3))
{
    var history = device.User.Early.Concat(device.User.Later).TakeLast(3).Select(r => Title(r.MovieId));
    Console.WriteLine();
    Console.WriteLine($"  user {device.User.UserId} watched … {string.Join(" → ", history)}; next (held out): {Title(device.User.Target.MovieId)}");
    foreach (var (rec, index) in step.Answer!.Take(5).Select((r, i) => (r, i)))
    {
        string mark = rec.ItemId == device.User.Target.MovieId ? "  ← the held-out rating" : "";
        Console.WriteLine($"    {index + 1}. {Title(rec.ItemId)} [{rec.Source}] {rec.Reason}{mark}");
    }
}

stats = await server.StatsAsync();
var steps = early.Concat(later).Concat(rounds.SelectMany(r => r)).Concat(again).ToList();
long tracked = steps.Sum(s => s.Tracked);
long acknowledged = steps.Sum(s => s.Sync.EventsSent);
long resent = steps.Sum(s => s.Sync.EventsAlreadyOnServer);
long duplicates = Math.Max(0, stats.Events - tracked);
long lost = Math.Max(0, tracked - stats.Events);
Console.WriteLine();
Console.WriteLine($"Devices tracked {tracked:N0} events; the server acknowledged {acknowledged:N0} ({resent:N0} resends recognised) and stores {stats.Events:N0}: lost {lost}, duplicated {duplicates}.");
Console.WriteLine($"Server: {stats.Batches:N0} batches from {stats.Devices} devices, {stats.RejectedRequests} refused requests, {stats.RetrainingRuns} retraining runs, serving v{stats.ServingVersion}. Whole loop {total.Elapsed.TotalSeconds:N0} s.");

Console.WriteLine();
Console.WriteLine($"Newcomers — {newcomerUsers.Count} users never tracked start the app (v{stats.ServingVersion} served), answer onboarding questions from their own ratings until {Newcomers.Answers} are answered; judged on all their other ratings.");
var cold = await Newcomers.OnboardAsync(newcomerUsers, Path.Combine(root, "newcomers"), server, shift, parallel);
Console.WriteLine(cold.Line);

await server.DisposeAsync();
if (Arg("--keep") is null)
{
    Directory.Delete(root, recursive: true);
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"devices\":{devices.Count},\"events_synced\":{stats.Events},\"duplicates\":{duplicates},\"model_version\":{stats.ServingVersion ?? 0},\"ndcg@10_before\":{ndcgBefore:0.0000},\"ndcg@10_after\":{ndcgAfter:0.0000},\"exploration\":\"{exploration?.Name ?? "none"}\",\"catalogue_coverage\":{coverage:0.0000},\"new_item_hr@10\":{newItemHr:0.0000},\"new_item_targets\":{newItemHits.Count}{cold.Json},\"experiment\":{{\"control\":{experiment.ControlVersion},\"treatment\":{experiment.TreatmentVersion},\"take_rate_control\":{look.Control.TakeRate:0.00000},\"take_rate_treatment\":{look.Treatment.TakeRate:0.00000},\"ndcg@10_control\":{ndcgControl:0.0000},\"ndcg@10_treatment\":{ndcgAfter:0.0000},\"ci95\":[{look.Ci95Low:0.00000},{look.Ci95High:0.00000}],\"always_valid\":[{look.SequentialLow:0.00000},{look.SequentialHigh:0.00000}],\"looks\":{rounds.Count},\"decision\":\"{look.Decision}\",\"serving\":{stats.ServingVersion ?? 0},\"devices_on_rolled_back\":{onRolledBack}}}}}"));
bool healthy = lost == 0 && duplicates == 0 && stats.ServingVersion >= 1 && (!badCandidate || look.Decision == ExperimentBook.Rollback) && onRolledBack == 0
    && steps.All(s => s.Sync.Status == SyncStatus.Completed);
return healthy ? 0 : 1;

// The server retrains on the phase that just stored newEvents and serves the new version; a loop whose candidate
// was kept back (it can happen with tiny --devices/--epochs settings) ends with the server's own reason, not a stack trace.
async Task<OnDeviceReco.Server.Models.ServerStats?> WaitForModel(long version, long newEvents, TimeSpan timeout)
{
    try
    {
        return await server.RetrainOnceAsync(newEvents, version, timeout);
    }
    catch (Exception e) when (e is InvalidOperationException or TimeoutException)
    {
        await PrintModels();
        Console.Error.WriteLine($"The loop stopped: {e.Message}");
        return null;
    }
}

async Task<DeviceStep[]> RunAll(List<SimulatedDevice> all, Func<SimulatedDevice, Task<DeviceStep>> step)
{
    var results = new DeviceStep[all.Count];
    var timer = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, all.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel },
        async (i, _) => results[i] = await step(all[i]));
    Console.WriteLine($"  {all.Count} devices in {timer.Elapsed.TotalSeconds:N1} s");
    return results;
}

void Report(DeviceStep[] steps)
{
    var failed = steps.Where(s => s.Sync.Status != SyncStatus.Completed).ToList();
    Console.WriteLine($"  tracked {steps.Sum(s => s.Tracked):N0} events; sync sent {steps.Sum(s => s.Sync.EventsSent):N0} in {steps.Sum(s => s.Sync.Batches):N0} batches"
        + $" ({steps.Sum(s => s.Sync.Attempts):N0} HTTP attempts), {steps.Count(s => s.Sync.ModelUpdated)} devices swapped in a new model"
        + (failed.Count == 0 ? "" : $"; {failed.Count} syncs did not complete, e.g. {failed[0].Sync.Status}: {failed[0].Sync.Error}"));
}

static double Mean<T>(IReadOnlyCollection<T> items, Func<T, double> value) => items.Count == 0 ? 0 : items.Average(value);

static double PreExperimentCorrelation(DeviceStep[] before, List<DeviceStep[]> rounds, string?[] arms)
{
    var centred = arms.Select((arm, i) => (Arm: arm, Pre: before[i].Taken / (double)Math.Max(1, before[i].Shown),
            Post: rounds.Sum(r => r[i].Taken) / (double)Math.Max(1, rounds.Sum(r => r[i].Shown))))
        .Where(p => p.Arm is not null)
        .GroupBy(p => p.Arm)
        .SelectMany(arm =>
        {
            double pre = arm.Average(p => p.Pre), post = arm.Average(p => p.Post);
            return arm.Select(p => (Pre: p.Pre - pre, Post: p.Post - post));
        })
        .ToList();
    double covariance = centred.Sum(c => c.Pre * c.Post), pres = centred.Sum(c => c.Pre * c.Pre), posts = centred.Sum(c => c.Post * c.Post);
    return pres > 0 && posts > 0 ? covariance / Math.Sqrt(pres * posts) : 0;
}

static double TakeRate(IReadOnlyCollection<DeviceStep> visits) => visits.Sum(s => s.Taken) / (double)Math.Max(1, visits.Sum(s => s.Shown));

string Versions(DeviceStep[] steps) => string.Join("/", steps.Select(s => s.Sync.ModelVersion?.ToString(CultureInfo.InvariantCulture) ?? "none").Distinct());

async Task PrintModels()
{
    foreach (var model in await server.ModelsAsync())
    {
        Console.WriteLine($"  server model v{model.Version} ({(model.Published ? "published" : "kept back")}): {model.Reason}");
    }
}

string? Arg(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
