// A Windows .NET app that installed OnDeviceReco from the package feed, published self-contained for win-x64 and
// run under Wine by build/windows-tests.sh: store, tracking, a signed bundle (and a tampered one refused), plain,
// exploring and onboarding recommendations, sync with the real server, erase, reopen. Each check prints "ok - ..."
// and the last line is "N passed, N failed". Usage: <bundle dir> <public key PEM file> <server url> <api key> <work dir>
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OnDeviceReco;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: WindowsConsumer <bundle dir> <public key PEM file> <server url> <api key> <work dir>");
    return 2;
}
string bundle = args[0], pem = File.ReadAllText(args[1]), work = args[4];
var checks = new Checks();
var log = new CapturedLog();

checks.Check(OperatingSystem.IsWindows(), "runs as a Windows process");
// Where the platform cannot import a P-256 key (Wine's CNG), the SDK verifies with its managed P-256 verifier.
using (ECDsa platformKey = ECDsa.Create())
{
    try
    {
        platformKey.ImportFromPem(pem);
        Console.WriteLine("platform ECDsa imports the P-256 key: signatures checked by the platform");
    }
    catch (CryptographicException e)
    {
        Console.WriteLine($"platform ECDsa cannot import the P-256 key ({e.Message.Trim()}): signatures checked by the managed verifier");
    }
}

string tampered = Path.Combine(work, "tampered-bundle");
Directory.CreateDirectory(tampered);
foreach (string file in Directory.GetFiles(bundle)) File.Copy(file, Path.Combine(tampered, Path.GetFileName(file)), overwrite: true);
byte[] model = File.ReadAllBytes(Path.Combine(tampered, "model.onnx"));
model[model.Length / 2] ^= 0x01;
File.WriteAllBytes(Path.Combine(tampered, "model.onnx"), model);

// And one whose signature is not the trusted key's: what the managed verifier alone decides under Wine.
string forged = Path.Combine(work, "forged-bundle");
Directory.CreateDirectory(forged);
foreach (string file in Directory.GetFiles(bundle)) File.Copy(file, Path.Combine(forged, Path.GetFileName(file)), overwrite: true);
byte[] signature = File.ReadAllBytes(Path.Combine(forged, "manifest.sig"));
signature[^1] ^= 0x01;
File.WriteAllBytes(Path.Combine(forged, "manifest.sig"), signature);

string database = Path.Combine(work, "reco.db");
RecoClientOptions Options() => new()
{
    Store = new StoreOptions { DatabasePath = database },
    InitialConsent = ConsentState.Granted,
    TrustedModelKeys = [pem],
    LoggerFactory = log,
    Sync = new SyncOptions { ServerUri = new Uri(args[2]), ApiKey = args[3], MaxAttempts = 2 },
};

int tracked = 0;
string firstDevice;
await using (var reco = new RecoClient(Options()))
{
    firstDevice = reco.DeviceId;
    var refused = Assert.Throws<ModelLoadException>(() => reco.LoadModel(tampered));
    checks.Check(refused is not null && reco.Model is null, $"a bundle with one flipped byte is refused: {refused?.Message}");

    var unsigned = Assert.Throws<ModelLoadException>(() => reco.LoadModel(forged));
    checks.Check(unsigned is not null && reco.Model is null, $"a bundle with one flipped signature bit is refused: {unsigned?.Message}");

    ModelInfo info = reco.LoadModel(bundle);
    checks.Check(info.Items > 0, $"signed bundle loaded: model v{info.ModelVersion} ({info.Architecture}), {info.Items} items, on {info.Provider}");
    // The CPU build of ONNX Runtime has no DirectML provider: the SDK tries it on Windows and falls back, with a log line.
    checks.Check(info.Provider == "CPUExecutionProvider" && info.ProviderFallbackReason?.StartsWith("DirectML unavailable", StringComparison.Ordinal) == true,
        $"DirectML tried and fell back to the CPU: {info.ProviderFallbackReason}");
    checks.Check(log.Lines.Any(line => line.Contains("CPUExecutionProvider", StringComparison.Ordinal) && line.Contains("DirectML unavailable", StringComparison.Ordinal)),
        "the fallback is logged");

    var coldStart = reco.Recommend("player-0", 40);
    checks.Check(coldStart.Count == 40, $"cold-start list of {coldStart.Count}");
    var catalogue = coldStart.Select(r => r.ItemId).ToList();
    for (int player = 1; player <= 20; player++)
    {
        for (int i = 0; i < 10; i++)
        {
            reco.Track($"player-{player}", catalogue[(player * 7 + i * 3) % catalogue.Count], EventType.Play);
            tracked++;
        }
    }
    await reco.FlushAsync();
    checks.Check(reco.GetProfile("player-1").TotalEvents == 10, "tracked and flushed: player-1 has 10 events");

    var seen = reco.GetRecentSequence("player-1").Select(r => r.ItemId).ToHashSet();
    var plain = reco.Recommend("player-1", 10);
    checks.Check(plain.Count == 10 && plain.All(r => r.Source == RecommendationSource.Model) && !plain.Any(r => seen.Contains(r.ItemId)),
        $"plain: 10 model recommendations, none already played (first: {plain[0].ItemId}, {plain[0].Reason})");

    var exploring = reco.Recommend("player-1", 10, new RecommendOptions { Exploration = 0.3, ExplorationSeed = 7 });
    checks.Check(exploring.Count == 10 && exploring.Any(r => r.IsExploration) && exploring.Any(r => !r.IsExploration),
        $"exploring: {exploring.Count(r => r.IsExploration)} of 10 marked as exploration");

    var onboarding = reco.ProposeOnboardingItems("newcomer", 6);
    checks.Check(onboarding.Count == 6 && onboarding.Select(o => o.ItemId).Distinct().Count() == 6, $"onboarding: 6 distinct items to ask about");
    reco.RecordOnboardingAnswer("newcomer", onboarding[0].ItemId, OnboardingAnswer.Liked);
    reco.RecordOnboardingAnswer("newcomer", onboarding[1].ItemId, OnboardingAnswer.Disliked);
    tracked += 2;
    var afterAnswers = reco.Recommend("newcomer", 10);
    checks.Check(afterAnswers.Count == 10 && !afterAnswers.Any(r => r.ItemId == onboarding[0].ItemId || r.ItemId == onboarding[1].ItemId),
        "after two onboarding answers: 10 recommendations, neither answered item among them");

    SyncResult sync = await reco.SyncAsync();
    checks.Check(sync.Status == SyncStatus.Completed && sync.EventsSent == tracked && reco.UnsyncedEvents == 0,
        $"sync with the server on the Linux side: {sync.Status}, {sync.EventsSent} of {tracked} events sent in {sync.Batches} batches {sync.Error}");

    reco.EraseAllData();
    checks.Check(reco.GetProfile("player-1").TotalEvents == 0 && reco.DeviceId != firstDevice, "erased: no events, a new device id");
}

await using (var reopened = new RecoClient(Options()))
{
    checks.Check(reopened.GetProfile("player-1").TotalEvents == 0 && reopened.DeviceId != firstDevice && reopened.Consent == ConsentState.Granted,
        "reopened after erase: still empty, consent kept");
    reopened.LoadModel(bundle);
    reopened.Track("player-1", "sku-after-reopen", EventType.Play);
    checks.Check(reopened.Recommend("player-1", 5).Count == 5, "reopened: the bundle loads again and recommends");

    // Printed for docs/windows.md, never checked: the managed call that ondevicereco.dll's odr_recommend forwards to,
    // timed like build/windows/measure/recommend_latency.c times the C call (same bundle, one event, 10 items).
    reopened.Track("player", "1", EventType.Play);
    var took = new double[5000];
    for (int i = 0; i < took.Length; i++)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        reopened.Recommend("player", 10);
        took[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
    }
    Array.Sort(took);
    Console.WriteLine($"measure - RecoClient.Recommend(10) over {took.Length} calls: median {took[took.Length / 2]:F1} us, p90 {took[took.Length * 9 / 10]:F1} us");
}

Console.WriteLine($"{checks.Passed} passed, {checks.Failed} failed");
return checks.Failed == 0 ? 0 : 1;

internal sealed class Checks
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public void Check(bool condition, string what)
    {
        if (condition) Passed++; else Failed++;
        Console.WriteLine($"{(condition ? "ok" : "FAILED")} - {what}");
    }
}

internal static class Assert
{
    public static T? Throws<T>(Action action) where T : Exception
    {
        try
        {
            action();
            return null;
        }
        catch (T e)
        {
            return e;
        }
    }
}

/// <summary>The SDK's log lines, kept so that the app can check what was logged.</summary>
internal sealed class CapturedLog : ILoggerFactory, ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = $"{logLevel}: {formatter(state, exception)}";
        Console.WriteLine($"log - {line}");
        lock (_lines) _lines.Add(line);
    }
}
