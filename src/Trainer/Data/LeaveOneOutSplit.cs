namespace OnDeviceReco.Trainer.Data;

/// <summary>One user's part of the leave-one-out protocol.</summary>
/// <param name="User">Row in <see cref="InteractionData.Sequences"/>.</param>
/// <param name="Train">Everything but the last two interactions.</param>
/// <param name="Validation">The second-to-last interaction: model selection and early stopping only.</param>
/// <param name="Test">The last interaction: reported once, never tuned on.</param>
public sealed record UserSplit(int User, int[] Train, int Validation, int Test)
{
    /// <summary>Input for predicting the validation item.</summary>
    public int[] ValidationInput => Train;

    /// <summary>Input for predicting the test item: training history plus the validation item.</summary>
    public int[] TestInput => [.. Train, Validation];
}

/// <summary>
/// Leave-one-out per user: last interaction = test, second-to-last = validation, the rest = training.
/// Users with fewer than three interactions only contribute training data.
/// </summary>
public sealed class LeaveOneOutSplit
{
    public LeaveOneOutSplit(InteractionData data)
    {
        var users = new List<UserSplit>();
        var trainOnly = new List<int[]>();
        var usersShown = new List<ShownItem[]>();
        var trainOnlyShown = new List<ShownItem[]>();
        var usersSameTime = new List<bool[]>();
        var trainOnlySameTime = new List<bool[]>();
        var usersTimes = new List<long[]>();
        var trainOnlyTimes = new List<long[]>();
        for (int u = 0; u < data.Sequences.Count; u++)
        {
            var sequence = data.Sequences[u];
            if (sequence.Length >= 3)
            {
                users.Add(new UserSplit(u, sequence[..^2], sequence[^2], sequence[^1]));
                usersShown.Add(data.Shown?[u] ?? []);
                usersSameTime.Add(data.SameTime?[u][..^2] ?? []);
                usersTimes.Add(data.Times?[u][..^2] ?? []);
            }
            else
            {
                trainOnly.Add(sequence);
                trainOnlyShown.Add(data.Shown?[u] ?? []);
                trainOnlySameTime.Add(data.SameTime?[u] ?? []);
                trainOnlyTimes.Add(data.Times?[u] ?? []);
            }
        }
        Users = users;
        TrainSequences = users.Select(u => u.Train).Concat(trainOnly).ToList();
        TrainShown = data.Shown is null ? null : usersShown.Concat(trainOnlyShown).ToList();
        TrainSameTime = data.SameTime is null ? null : usersSameTime.Concat(trainOnlySameTime).ToList();
        TrainTimes = data.Times is null ? null : usersTimes.Concat(trainOnlyTimes).ToList();
    }

    public IReadOnlyList<UserSplit> Users { get; }

    /// <summary>What models may learn from.</summary>
    public IReadOnlyList<int[]> TrainSequences { get; }

    /// <summary>Shown-and-not-taken items parallel to <see cref="TrainSequences"/>, when the data has them.</summary>
    public IReadOnlyList<ShownItem[]>? TrainShown { get; }

    /// <summary>Same-time marks parallel to <see cref="TrainSequences"/>, when the data has timestamps.</summary>
    public IReadOnlyList<bool[]>? TrainSameTime { get; }

    /// <summary>Interaction times parallel to <see cref="TrainSequences"/>, when the data has timestamps.</summary>
    public IReadOnlyList<long[]>? TrainTimes { get; }
}
