using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Evaluation.TimeSplit;

/// <summary>Which targets a segment holds, by the target item's past and the user's.</summary>
public enum Segment
{
    /// <summary>The item had no interaction before the cutoff.</summary>
    New,
    /// <summary>The item had 1 to <see cref="TimeSplitData.TailLimit"/> − 1 interactions before the cutoff.</summary>
    Tail,
    /// <summary>The item had at least <see cref="TimeSplitData.TailLimit"/> interactions before the cutoff.</summary>
    Head,
}

/// <summary>
/// One replayed interaction: <paramref name="Target"/> predicted from <paramref name="History"/>, everything the user
/// did strictly before it in time (a same-second run is not known before itself: its listed order is the source's).
/// </summary>
/// <param name="NewUser">The user had no interaction before the window's cutoff.</param>
public sealed record ReplayCase(int User, int[] History, int Target, Segment Segment, bool NewUser);

/// <summary>
/// The time-split protocol's data: one global cutoff (by default the time of the 90th percentile of all
/// interactions). Test = every interaction at or after it, replayed in time order against everything before it, with
/// no retraining. Models train on what came before a second, validation cutoff (the same quantile of the times before
/// the first), early-stop on the replay of [validation cutoff, cutoff), and are tested on the replay after the cutoff;
/// baselines without training (popularity) count everything before the cutoff.
/// </summary>
public sealed class TimeSplitData
{
    /// <summary>Items with fewer interactions than this before the cutoff (but at least one) are tail items.</summary>
    public const int TailLimit = 20;

    /// <exception cref="DataFormatException">When the source has no timestamps or a window is empty.</exception>
    public TimeSplitData(InteractionData data, double quantile = 0.9)
    {
        if (data.Times is null)
        {
            throw new DataFormatException($"'{data.Name}' has no timestamps: the time-split protocol needs them (a MovieLens directory or an interactions file).");
        }
        if (quantile is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The cutoff quantile must lie strictly between 0 and 1.");
        }
        Data = data;
        Quantile = quantile;
        var all = data.Times.SelectMany(t => t).Order().ToArray();
        Cutoff = QuantileOf(all, quantile);
        var before = all.Where(t => t < Cutoff).ToArray();
        if (before.Length == 0)
        {
            throw new DataFormatException($"'{data.Name}': no interaction comes before the cutoff {Cutoff}.");
        }
        ValidationCutoff = QuantileOf(before, quantile);

        TrainSequences = Prefixes(data.Sequences, data.Times, ValidationCutoff);
        TrainSameTime = data.SameTime is null ? null : Prefixes(data.SameTime, data.Times, ValidationCutoff);
        TrainTimes = Prefixes(data.Times, data.Times, ValidationCutoff);
        BeforeCutoff = Prefixes(data.Sequences, data.Times, Cutoff);
        BeforeCutoffSameTime = data.SameTime is null ? null : Prefixes(data.SameTime, data.Times, Cutoff);
        BeforeCutoffTimes = Prefixes(data.Times, data.Times, Cutoff);
        Validation = Replay(ValidationCutoff, Cutoff, TrainSequences);
        Test = Replay(Cutoff, long.MaxValue, BeforeCutoff);
        if (Test.Count == 0 || Validation.Count == 0)
        {
            throw new DataFormatException($"'{data.Name}': the time split leaves {Validation.Count} validation and {Test.Count} test interactions; both must be non-empty.");
        }
    }

    public InteractionData Data { get; }
    public double Quantile { get; }

    /// <summary>Test interactions are those at or after this time.</summary>
    public long Cutoff { get; }

    /// <summary>Training data ends before this time; [ValidationCutoff, Cutoff) is replayed for early stopping.</summary>
    public long ValidationCutoff { get; }

    /// <summary>Each user's interactions before <see cref="ValidationCutoff"/> (what sequence models train on).</summary>
    public IReadOnlyList<int[]> TrainSequences { get; }

    public IReadOnlyList<bool[]>? TrainSameTime { get; }

    /// <summary>Interaction times parallel to <see cref="TrainSequences"/>.</summary>
    public IReadOnlyList<long[]> TrainTimes { get; }

    /// <summary>Each user's interactions before <see cref="Cutoff"/> (what popularity counts, what defines segments).</summary>
    public IReadOnlyList<int[]> BeforeCutoff { get; }

    public IReadOnlyList<bool[]>? BeforeCutoffSameTime { get; }

    /// <summary>Interaction times parallel to <see cref="BeforeCutoff"/>.</summary>
    public IReadOnlyList<long[]> BeforeCutoffTimes { get; }

    public IReadOnlyList<ReplayCase> Validation { get; }
    public IReadOnlyList<ReplayCase> Test { get; }

    private static long QuantileOf(long[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static List<T[]> Prefixes<T>(IReadOnlyList<T[]> values, IReadOnlyList<long[]> times, long before) =>
        values.Select((v, u) => v[..CountBefore(times[u], before)]).ToList();

    private static int CountBefore(long[] times, long before)
    {
        int n = 0;
        while (n < times.Length && times[n] < before)
        {
            n++;
        }
        return n;
    }

    /// <summary>Every interaction in [from, to), in time order; segments by the item's and user's past before <paramref name="from"/>.</summary>
    private List<ReplayCase> Replay(long from, long to, IReadOnlyList<int[]> past)
    {
        var counts = new int[Data.Items.TableSize];
        foreach (var sequence in past)
        {
            foreach (int item in sequence)
            {
                counts[item]++;
            }
        }
        var cases = new List<(long Time, ReplayCase Case)>();
        for (int u = 0; u < Data.Sequences.Count; u++)
        {
            var sequence = Data.Sequences[u];
            var times = Data.Times![u];
            bool newUser = past[u].Length == 0;
            int runStart = 0;
            for (int i = 0; i < sequence.Length; i++)
            {
                if (i > 0 && times[i] != times[i - 1])
                {
                    runStart = i;
                }
                if (times[i] < from || times[i] >= to)
                {
                    continue;
                }
                int item = sequence[i];
                var segment = counts[item] == 0 ? Segment.New : counts[item] < TailLimit ? Segment.Tail : Segment.Head;
                cases.Add((times[i], new ReplayCase(u, sequence[..runStart], item, segment, newUser)));
            }
        }
        // Time order (users in turn within a second): the order a server would see them arrive.
        return cases.OrderBy(c => c.Time).Select(c => c.Case).ToList();
    }
}
