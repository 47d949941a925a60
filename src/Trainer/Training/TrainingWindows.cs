using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// Cuts training sequences into left-padded windows of L inputs and L next-item targets, from the newest
/// end backwards, so long histories contribute all of their interactions and not just the last L. With shown
/// items, each target position also gets up to <see cref="ShownPerPosition"/> items the user had been shown and
/// never took (newest first, 0 = none): the negatives a recipe with impressions pushes below the target. With times,
/// each target position also gets its target's time (what <see cref="ItemAvailability"/> needs).
/// </summary>
public sealed class TrainingWindows
{
    public const int ShownPerPosition = 16;

    public TrainingWindows(IReadOnlyList<int[]> sequences, int maxLength, IReadOnlyList<ShownItem[]>? shown = null, IReadOnlyList<long[]>? times = null)
    {
        var targetTimes = times is null ? null : new List<long[]>();
        var inputs = new List<long[]>();
        var targets = new List<long[]>();
        var owners = new List<int>();
        var negatives = shown is null ? null : new List<long[]>();
        for (int u = 0; u < sequences.Count; u++)
        {
            var sequence = sequences[u];
            for (int end = sequence.Length; end >= 2; end -= maxLength)
            {
                int start = Math.Max(0, end - maxLength - 1);
                var window = sequence.AsSpan(start, end - start);
                var input = new long[maxLength];
                var target = new long[maxLength];
                var targetTime = times is null ? null : new long[maxLength];
                int pad = maxLength - (window.Length - 1);
                for (int i = 0; i < window.Length - 1; i++)
                {
                    input[pad + i] = window[i];
                    target[pad + i] = window[i + 1];
                    if (targetTime is not null)
                    {
                        targetTime[pad + i] = times![u][start + i + 1];
                    }
                }
                targetTimes?.Add(targetTime!);
                inputs.Add(input);
                targets.Add(target);
                owners.Add(u);
                if (negatives is not null)
                {
                    negatives.Add(ShownNegatives(shown![u], start, window.Length - 1, pad, maxLength));
                }
            }
        }
        Inputs = inputs;
        Targets = targets;
        Owners = owners;
        Shown = negatives;
        TargetTimes = targetTimes;
    }

    public IReadOnlyList<long[]> Inputs { get; }
    public IReadOnlyList<long[]> Targets { get; }

    /// <summary>The index of the sequence (user) each window was cut from.</summary>
    public IReadOnlyList<int> Owners { get; }

    /// <summary>Per window [L × <see cref="ShownPerPosition"/>], or null without impressions.</summary>
    public IReadOnlyList<long[]>? Shown { get; }

    /// <summary>Per window [L], the time of each position's target (0 at padding), or null without times.</summary>
    public IReadOnlyList<long[]>? TargetTimes { get; }

    public int Count => Inputs.Count;

    private static long[] ShownNegatives(ShownItem[] shown, int start, int positions, int pad, int maxLength)
    {
        var result = new long[maxLength * ShownPerPosition];
        if (shown.Length == 0)
        {
            return result;
        }
        for (int i = 0; i < positions; i++)
        {
            int targetIndex = start + i + 1; // the interaction this position predicts
            int slot = 0;
            for (int s = shown.Length - 1; s >= 0 && slot < ShownPerPosition; s--)
            {
                if (shown[s].From <= targetIndex)
                {
                    result[(pad + i) * ShownPerPosition + slot++] = shown[s].Item;
                }
            }
        }
        return result;
    }
}
