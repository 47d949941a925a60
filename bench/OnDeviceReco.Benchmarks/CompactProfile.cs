using System.Diagnostics;
using System.Globalization;
using OnDeviceReco.Inference;
using OnDeviceReco.Protocol;
using OnDeviceReco.Search;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// One-shot harness (<c>-- compact-profile ITEMS</c>): where a compact <c>Recommend</c> spends its time, part by
/// part, each timed over many calls on one thread (Stopwatch, mean per call after a warm-up): the compact model
/// call, its search alone, its rescoring alone, and the explanations (10 results × 50 history items).
/// </summary>
internal static class CompactProfile
{
    private const int Calls = 20_000;

    public static int Run(string[] args)
    {
        int items = int.Parse(args[1], CultureInfo.InvariantCulture);
        var bundles = CatalogueBundles.Get(items);
        var verifier = new BundleVerifier([bundles.PublicKeyPem]);
        using var model = LoadedModel.Load(verifier.Verify(bundles.Compact), new InferenceOptions());
        var random = new Random(3);
        var history = Enumerable.Range(0, 50).Select(_ => random.Next(1, items + 1)).ToArray();
        var candidates = model.Run(history, excludeSeen: true, out var user);
        var top = candidates.Take(10).Select(c => c.Index).ToArray();

        Report("compact model call (user vector + search)", () => model.Run(history, excludeSeen: true, out _));
        Report("  search alone (int8 scan + rescoring)", () => CompactSearch.TopK(model.CompactTable!, user, model.Candidates, model.Shortlist, history));
        Report("  rescoring alone (shortlist rows)", () =>
        {
            float sum = 0;
            for (int i = 0; i < model.Shortlist; i++)
            {
                sum += model.CompactTable!.Dot(candidates[i % candidates.Length].Index, user);
            }
            return sum;
        });
        var events = history.Select(h => new RecentItem(CatalogueBundles.ItemId(h), EventType.Play, DateTimeOffset.UnixEpoch, 0)).ToList();
        Report("explanations (history rows once, 10 × 50 cosines)", () =>
        {
            using var rows = Ranking.UnitRows.Gather(model, history);
            int length = 0;
            foreach (int item in top)
            {
                length += Ranking.Explanations.BecauseYou(model, item, history, events, rows).Length;
            }
            return length;
        });
        return 0;
    }

    private static void Report(string what, Func<object> call)
    {
        for (int i = 0; i < Calls / 10; i++)
        {
            call();
        }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Calls; i++)
        {
            call();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {clock.Elapsed.TotalMicroseconds / Calls:0.00} µs per call"));
    }
}
