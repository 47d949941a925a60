using System.Globalization;
using OnDeviceReco.Experiments;
using ReplayMovieLens;

// Research on the main command's feedback loop, each on a run kept with
// `dotnet run -c Release --project samples/ReplayMovieLens -- --keep DIR`. Give the loop options that run used
// (--data, --devices, --epochs, --newcomers, --newcomer-seed, --seed): they pick the same users and newcomers.
const string Usage = """
    usage:
      compare-kept DIR [--seeds 1,2,3] [loop options]
          the server's recipe vs impressions as negatives vs a refit, trained per seed on the kept run's synced data,
          judged on the loop's held-out newest ratings
      onboard-kept DIR [--parallel N] [loop options]
          only the newcomers, onboarded against the model the kept run's server serves
    loop options: [--data DIR] [--devices N] [--epochs N] [--newcomers SHARE] [--newcomer-seed N] [--seed N]
    """;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2 || args[0] is not ("compare-kept" or "onboard-kept") || args[1].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
string kept = args[1];
string dataDir = Arg("--data") ?? MovieLensFiles.FindDefaultDirectory();
int deviceCount = int.Parse(Arg("--devices") ?? "100000", CultureInfo.InvariantCulture);
int epochs = int.Parse(Arg("--epochs") ?? "30", CultureInfo.InvariantCulture);
int parallel = int.Parse(Arg("--parallel") ?? "2", CultureInfo.InvariantCulture);
int seed = int.Parse(Arg("--seed") ?? "42", CultureInfo.InvariantCulture);
string newcomerSeed = Arg("--newcomer-seed") ?? $"{Newcomers.MeasuredSelectionSeed}";
var (users, newcomerUsers) = LoopUsers.Load(dataDir, deviceCount,
    double.Parse(Arg("--newcomers") ?? $"{Newcomers.DefaultShare}", CultureInfo.InvariantCulture), int.Parse(newcomerSeed, CultureInfo.InvariantCulture));
if (args[0] == "compare-kept")
{
    RecipeComparison.Run(Path.Combine(kept, "server", "feedback.db"), KeptUserNames.Read(kept), dataDir, users, epochs, RecipeComparison.Seeds(Arg("--seeds") ?? "1"));
    return 0;
}
return await OnboardKept.RunAsync(kept, dataDir, newcomerUsers, newcomerSeed, epochs, seed, LoopUsers.Shift(users), parallel);

string? Arg(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
