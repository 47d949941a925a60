using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Privacy;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Training;

/// <summary>How a private run is laid out before it starts: the sampling rate, the steps and the noise they allow.</summary>
/// <param name="ExpectedUsers">q × users: the fixed denominator of every step's mean.</param>
public sealed record PrivatePlan(int Users, double SampleRate, int StepsPerEpoch, long PlannedSteps, double Delta, double NoiseMultiplier, double ExpectedUsers)
{
    /// <summary>
    /// An epoch is round(1/q) steps, so every user is expected once per epoch; σ is calibrated (or taken as given) for
    /// all <paramref name="epochs"/> epochs' steps.
    /// </summary>
    public static PrivatePlan For(UserLevelPrivacy privacy, int users, int epochs)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        privacy.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        double q = Math.Min(1, privacy.ExpectedUsersPerStep(users) / (double)users);
        int stepsPerEpoch = Math.Max(1, (int)Math.Round(1 / q));
        long planned = (long)stepsPerEpoch * epochs;
        double delta = privacy.Delta ?? 1.0 / users;
        double sigma = privacy.NoiseMultiplier ?? RdpAccountant.NoiseMultiplier(privacy.TargetEpsilon, delta, q, planned);
        return new PrivatePlan(users, q, stepsPerEpoch, planned, delta, sigma, q * users);
    }

    public double EpsilonAfter(long steps) => RdpAccountant.Epsilon(SampleRate, NoiseMultiplier, steps, Delta).Epsilon;
}

public sealed partial class SequenceTrainer
{
    /// <summary>
    /// User-level DP training (<see cref="UserLevelPrivacy"/>): each step samples users with probability q (an OS-seeded
    /// generator, not the training seed), takes the gradient of each sampled user's mean loss over all their windows
    /// (many users per backward through <see cref="SasRecUserGradients"/> where the model allows, else one backward per
    /// user), clips it, and steps Adam on the noisy mean (<see cref="PrivateAggregate"/>). It runs the planned epochs and keeps
    /// the last weights; validation is only recorded (its curve and the last score), never used to stop or to pick an
    /// epoch. A time budget may end it early: ε is then what the steps taken spent, below the plan.
    /// </summary>
    private TrainingResult TrainPrivately(UserLevelPrivacy privacy, IReadOnlyList<int[]> sequences, Func<double>? validate, int epochs,
        Action<EpochRecord>? onEpoch, IReadOnlyList<ShownItem[]>? shown, IReadOnlyList<bool[]>? sameTime, TimeSpan? budget, TimeProvider? clock)
    {
        var plan = PrivatePlan.For(privacy, sequences.Count, epochs);
        var shownUsed = _config.ShownNegativeWeight > 0 ? shown : null;
        var tiesToShuffle = _config.ShuffleTies ? sameTime : null;
        var windows = Windows(sequences, shownUsed);
        var windowsOf = WindowsByUser(windows, sequences.Count);
        var parameters = _model.parameters().ToList();
        using var optimizer = new HeldAdam(parameters, _config.LearningRate);
        using var aggregate = new PrivateAggregate(parameters, privacy.ClipNorm);
        CreateGradients(parameters);
        // Many users per forward and backward where the model allows it; otherwise one backward per user.
        var batched = shownUsed is null && _ranks is null && _model is SasRec sasRec && SasRecUserGradients.Supports(sasRec)
            ? new SasRecUserGradients(sasRec) : null;
        var sampling = new Random(); // seeded by the OS: which users a step took must not follow from the training seed

        clock ??= TimeProvider.System;
        long started = clock.GetTimestamp();
        var limit = budget is { } b ? new TrainingBudget(b, clock) : null;
        var curve = new List<EpochRecord>();
        var stopped = StopReason.EpochCap;
        string detail = string.Create(CultureInfo.InvariantCulture, $"ran the planned {epochs} epochs ({plan.PlannedSteps} steps)");
        double lastScore = double.NegativeInfinity;
        long steps = 0, updates = 0, clipped = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            long epochStart = clock.GetTimestamp();
            _model.train();
            if (tiesToShuffle is not null)
            {
                windows = Windows(TieOrder.Shuffle(sequences, tiesToShuffle, _random), shownUsed);
            }
            double lossSum = 0;
            int losses = 0;
            for (int step = 0; step < plan.StepsPerEpoch; step++)
            {
                aggregate.Clear();
                var sampled = new List<int>();
                for (int user = 0; user < windowsOf.Length; user++)
                {
                    // A sampled user with nothing to predict adds a zero update.
                    if (sampling.NextDouble() < plan.SampleRate && windowsOf[user].Length > 0)
                    {
                        sampled.Add(user);
                    }
                }
                if (batched is null)
                {
                    foreach (int user in sampled)
                    {
                        lossSum += UserGradient(windows, windowsOf[user], optimizer);
                        aggregate.AddClipped();
                    }
                }
                else
                {
                    foreach (var chunk in sampled.Chunk(batched.UsersPerCall))
                    {
                        lossSum += AddUsers(batched, windows, chunk.Select(u => windowsOf[u]).ToArray(), aggregate);
                    }
                }
                losses += sampled.Count;
                updates += aggregate.Users;
                clipped += aggregate.Clipped;
                aggregate.WriteNoisyMean(plan.NoiseMultiplier, plan.ExpectedUsers);
                optimizer.Step();
                KeepPaddingZero();
                steps++;
            }
            var trainingTime = clock.GetElapsedTime(epochStart);
            limit?.RecordEpoch(trainingTime);
            bool outOfTime = limit is not null && epoch < epochs && !limit.NextEpochFits();
            double? score = null;
            if (validate is not null && (epoch % _config.EvaluateEvery == 0 || epoch == epochs || outOfTime))
            {
                long validationStart = clock.GetTimestamp();
                score = validate();
                limit?.RecordValidation(clock.GetElapsedTime(validationStart));
                lastScore = score.Value;
            }
            var record = new EpochRecord(epoch, losses == 0 ? 0 : lossSum / losses, score, trainingTime.TotalSeconds);
            curve.Add(record);
            onEpoch?.Invoke(record);
            if (outOfTime)
            {
                stopped = StopReason.TimeBudget;
                detail = $"after epoch {epoch} of {epochs}: {limit!.Explain()}";
                break;
            }
        }
        _model.eval();
        var spent = new PrivacySpent(plan.EpsilonAfter(steps), plan.Delta, privacy.ClipNorm, plan.NoiseMultiplier, plan.SampleRate,
            steps, plan.PlannedSteps, plan.Users, plan.EpsilonAfter(plan.PlannedSteps), updates == 0 ? 0 : clipped / (double)updates);
        return new TrainingResult(curve.Count, lastScore, curve.Count, clock.GetElapsedTime(started).TotalSeconds, curve, stopped,
            $"{detail}; {spent}", spent);
    }

    /// <summary>Backpropagates one user's mean loss over all their windows into the parameters' gradients; returns the loss.</summary>
    internal double UserGradient(TrainingWindows windows, int[] userWindows, HeldAdam optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        var loss = BatchLoss(windows, userWindows);
        loss.backward();
        return loss.ToDouble();
    }

    /// <summary>Adds the clipped gradients of a few users (their windows given) to the aggregate; returns the sum of their losses.</summary>
    internal double AddUsers(SasRecUserGradients batched, TrainingWindows windows, int[][] userWindows, PrivateAggregate aggregate)
    {
        using var scope = NewDisposeScope();
        int length = _config.MaxLength, count = userWindows.Sum(w => w.Length);
        var inputs = new long[count * length];
        var targets = new long[count * length];
        var owners = new long[count];
        int at = 0;
        for (int u = 0; u < userWindows.Length; u++)
        {
            foreach (int w in userWindows[u])
            {
                windows.Inputs[w].CopyTo(inputs, at * length);
                windows.Targets[w].CopyTo(targets, at * length);
                owners[at++] = u;
            }
        }
        var (gradients, losses) = batched.Compute(inputs, targets, owners, userWindows.Length);
        aggregate.AddClipped(gradients);
        return losses.sum().ToDouble();
    }

    /// <summary>Window indices per user, from <see cref="TrainingWindows.Owners"/> (tie shuffling keeps every length, so they hold all run).</summary>
    internal static int[][] WindowsByUser(TrainingWindows windows, int users)
    {
        var lists = Enumerable.Range(0, users).Select(_ => new List<int>()).ToArray();
        for (int w = 0; w < windows.Count; w++)
        {
            lists[windows.Owners[w]].Add(w);
        }
        return lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>One backward of zero so every parameter has a gradient tensor the noisy mean can be written into.</summary>
    internal static void CreateGradients(IReadOnlyList<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var total = parameters.Select(p => p.sum()).Aggregate((a, c) => a.add(c, Models.HeldScalars.One));
        total.mul(Models.HeldScalars.Zero).backward();
    }

    /// <summary>The padding row is never an item; noise would otherwise move it.</summary>
    private void KeepPaddingZero()
    {
        using var noGrad = no_grad();
        using var row = _model.ItemEmbedding.weight![0];
        row.zero_();
    }
}
