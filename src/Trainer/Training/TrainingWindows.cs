namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// Cuts training sequences into left-padded windows of L inputs and L next-item targets, from the newest
/// end backwards, so long histories contribute all of their interactions and not just the last L.
/// </summary>
public sealed class TrainingWindows
{
    public TrainingWindows(IReadOnlyList<int[]> sequences, int maxLength)
    {
        var inputs = new List<long[]>();
        var targets = new List<long[]>();
        foreach (var sequence in sequences)
        {
            for (int end = sequence.Length; end >= 2; end -= maxLength)
            {
                int start = Math.Max(0, end - maxLength - 1);
                var window = sequence.AsSpan(start, end - start);
                var input = new long[maxLength];
                var target = new long[maxLength];
                int pad = maxLength - (window.Length - 1);
                for (int i = 0; i < window.Length - 1; i++)
                {
                    input[pad + i] = window[i];
                    target[pad + i] = window[i + 1];
                }
                inputs.Add(input);
                targets.Add(target);
            }
        }
        Inputs = inputs;
        Targets = targets;
    }

    public IReadOnlyList<long[]> Inputs { get; }
    public IReadOnlyList<long[]> Targets { get; }
    public int Count => Inputs.Count;
}
