using OnDeviceReco.Feedback.Sqlite;
using ReplayMovieLens;

namespace OnDeviceReco.Experiments;

/// <summary>
/// Only the newcomers, against the model a kept run's server serves (<c>onboard-kept DIR</c>): fresh newcomer
/// stores, no retraining. A user that kept run trained on (another hold-back seed) is no newcomer to its model:
/// refused, not measured.
/// </summary>
internal static class OnboardKept
{
    public static async Task<int> RunAsync(string kept, string dataDirectory, IReadOnlyList<UserHistory> newcomers, string newcomerSeed,
        int epochs, int seed, TimeSpan shift, int parallel)
    {
        if (TrainedOn(Path.Combine(kept, "server", "feedback.db"), KeptUserNames.Read(kept), newcomers) is { Count: > 0 } leaked)
        {
            Console.Error.WriteLine($"{leaked.Count} of the {newcomers.Count} newcomers (hold-back seed {newcomerSeed}) have events in {kept}: "
                + "its model trained on them. Onboard against a run kept with the same --newcomer-seed and --newcomers.");
            return 2;
        }
        string root = Path.Combine(Path.GetTempPath(), $"odr-onboard-{Environment.ProcessId}");
        await using var keptServer = await LoopServer.StartAsync(Path.Combine(kept, "server"), dataDirectory, epochs, seed);
        var cold = await Newcomers.OnboardAsync(newcomers, Path.Combine(root, "newcomers"), keptServer, shift, parallel);
        Console.WriteLine($"Newcomers of {kept} ({newcomers.Count}, hold-back seed {newcomerSeed}):");
        Console.WriteLine(cold.Line);
        Directory.Delete(root, recursive: true);
        Console.WriteLine($"{{\"onboard_kept\":\"{kept}\"{cold.Json}}}");
        return 0;
    }

    /// <summary>The newcomers that have events in the server store at <paramref name="storePath"/>: users a model trained there has seen.</summary>
    private static IReadOnlyList<string> TrainedOn(string storePath, IReadOnlyDictionary<string, string> userNames, IReadOnlyList<UserHistory> newcomers)
    {
        var ids = newcomers.Select(u => u.UserId).ToHashSet(StringComparer.Ordinal);
        using var store = new SqliteFeedbackStore(storePath);
        // The store holds pseudonyms: a newcomer is found by the name its kept device gave it there.
        return store.ReadEvents().Select(e => userNames.GetValueOrDefault(e.UserId)).OfType<string>().Where(ids.Contains).Distinct(StringComparer.Ordinal).ToList();
    }
}
