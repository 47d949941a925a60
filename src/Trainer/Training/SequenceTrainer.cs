using System.Diagnostics;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// Trains a sequence model on next-item prediction at every position (Adam, as <see cref="HeldAdam"/>). With a validation callback it
/// evaluates every few epochs, keeps the best weights and stops when validation stops improving; the test
/// split is never looked at here. A recipe with <see cref="ModelConfig.Privacy"/> trains with user-level differential
/// privacy instead (SequenceTrainer.Private.cs).
/// </summary>
public sealed partial class SequenceTrainer
{
    private readonly SequenceModel _model;
    private readonly ModelConfig _config;
    private readonly Random _random;
    private ItemAvailability? _availability;
    private IReadOnlyList<long[]>? _times;
    private Tensor? _ranks;

    public SequenceTrainer(SequenceModel model, int seed)
    {
        _model = model;
        _config = model.Config;
        _random = new Random(seed);
    }

    /// <param name="sequences">Training sequences.</param>
    /// <param name="validate">Returns validation NDCG@10 of the model as it is; null trains a fixed number of epochs.</param>
    /// <param name="epochs">Epoch limit (early stopping may end sooner).</param>
    /// <param name="onEpoch">Progress callback.</param>
    /// <param name="shown">Shown-and-not-taken items parallel to <paramref name="sequences"/>; used when the config gives them a weight.</param>
    /// <param name="sameTime">Same-time marks parallel to <paramref name="sequences"/>; with <see cref="ModelConfig.ShuffleTies"/>
    /// each epoch sees every run of ties in a fresh order (<see cref="TieOrder"/>).</param>
    /// <param name="budget">Wall-clock limit, predictive (<see cref="TrainingBudget"/>): after each epoch, when another
    /// epoch and its validation are not expected to fit, this epoch is the last one (it is validated, and the
    /// best-on-validation weights are kept as with early stopping); null trains without one.</param>
    /// <param name="clock">The clock the budget is measured with; null for the system clock.</param>
    /// <param name="times">Each interaction's time, parallel to <paramref name="sequences"/>: with
    /// <see cref="NegativePool.Released"/> an item is a negative only once it is out; null treats every trained item as out.</param>
    public TrainingResult Train(IReadOnlyList<int[]> sequences, Func<double>? validate, int epochs, Action<EpochRecord>? onEpoch = null,
        IReadOnlyList<ShownItem[]>? shown = null, IReadOnlyList<bool[]>? sameTime = null, TimeSpan? budget = null, TimeProvider? clock = null,
        IReadOnlyList<long[]>? times = null)
    {
        _availability = ItemAvailability.For(_config.NegativePool, sequences, times, _model.TableSize);
        _times = _availability is { Timed: true } ? times : null;
        using var ranks = _availability is null ? null : tensor(_availability.Rank);
        _ranks = ranks;
        try
        {
            return _config.Privacy is { } privacy
                ? TrainPrivately(privacy, sequences, validate, epochs, onEpoch, shown, sameTime, budget, clock)
                : TrainWithAdam(sequences, validate, epochs, onEpoch, shown, sameTime, budget, clock);
        }
        finally
        {
            _ranks = null;
        }
    }

    private TrainingWindows Windows(IReadOnlyList<int[]> sequences, IReadOnlyList<ShownItem[]>? shown) =>
        new(sequences, _config.MaxLength, shown, _times);

    private TrainingResult TrainWithAdam(IReadOnlyList<int[]> sequences, Func<double>? validate, int epochs, Action<EpochRecord>? onEpoch,
        IReadOnlyList<ShownItem[]>? shown, IReadOnlyList<bool[]>? sameTime, TimeSpan? budget, TimeProvider? clock)
    {
        var shownUsed = _config.ShownNegativeWeight > 0 ? shown : null;
        var tiesToShuffle = _config.ShuffleTies ? sameTime : null;
        var windows = Windows(sequences, shownUsed);
        _model.LimitIdsTo(sequences);
        using var optimizer = new HeldAdam(_model.parameters(), _config.LearningRate);
        var curve = new List<EpochRecord>();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0, epoch = 0;
        var stopped = StopReason.EpochCap;
        string detail = $"reached the cap of {epochs} epochs";
        clock ??= TimeProvider.System;
        long started = clock.GetTimestamp();
        var limit = budget is { } b ? new TrainingBudget(b, clock) : null;
        double Validate()
        {
            long start = clock.GetTimestamp();
            double value = validate!();
            limit?.RecordValidation(clock.GetElapsedTime(start));
            return value;
        }
        var order = Enumerable.Range(0, windows.Count).ToArray();
        for (epoch = 1; epoch <= epochs; epoch++)
        {
            long epochStart = clock.GetTimestamp();
            _model.train();
            if (tiesToShuffle is not null)
            {
                windows = Windows(TieOrder.Shuffle(sequences, tiesToShuffle, _random), shownUsed);
            }
            _random.Shuffle(order);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += _config.BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = order.AsSpan(start, Math.Min(_config.BatchSize, order.Length - start)).ToArray();
                var loss = BatchLoss(windows, batch);
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
                lossSum += loss.item<float>();
                batches++;
            }
            var trainingTime = clock.GetElapsedTime(epochStart);
            limit?.RecordEpoch(trainingTime);
            double? score = null;
            if (validate is not null && (epoch % _config.EvaluateEvery == 0 || epoch == epochs))
            {
                score = Validate();
            }
            bool outOfTime = limit is not null && epoch < epochs && !limit.NextEpochFits();
            if (outOfTime)
            {
                stopped = StopReason.TimeBudget;
                if (validate is not null && score is null)
                {
                    score = Validate();
                }
                detail = $"after epoch {epoch}: {limit!.Explain()}";
            }
            if (score is not null)
            {
                if (score > bestScore)
                {
                    bestScore = score.Value;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    best?.Values.ToList().ForEach(t => t.Dispose());
                    best = _model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
                }
                else if (++sinceBest >= _config.Patience)
                {
                    // Patience ends training whether or not the budget also ran out: it would have stopped anyway.
                    stopped = StopReason.Patience;
                    detail = $"no better validation NDCG@10 in {_config.Patience} checks since epoch {bestEpoch}";
                }
            }
            var record = new EpochRecord(epoch, lossSum / batches, score, trainingTime.TotalSeconds);
            curve.Add(record);
            onEpoch?.Invoke(record);
            if (stopped != StopReason.EpochCap)
            {
                break;
            }
        }
        int epochsRun = curve.Count;
        if (best is not null)
        {
            _model.load_state_dict(best);
            best.Values.ToList().ForEach(t => t.Dispose());
        }
        else
        {
            bestEpoch = epochsRun;
        }
        _model.eval();
        return new TrainingResult(bestEpoch, bestScore, epochsRun, clock.GetElapsedTime(started).TotalSeconds, curve, stopped, detail);
    }

    /// <summary>
    /// Seconds per optimiser step (loss, backward, Adam) over the first <paramref name="batches"/> batches of
    /// <paramref name="sequences"/>, after one untimed warm-up step: for sizing an epoch without running one.
    /// </summary>
    public double SecondsPerBatch(IReadOnlyList<int[]> sequences, int batches)
    {
        var windows = new TrainingWindows(sequences, _config.MaxLength);
        int available = windows.Count / _config.BatchSize;
        if (available < batches + 1)
        {
            throw new ArgumentException($"{windows.Count} windows hold {available} full batches; {batches + 1} are needed.", nameof(sequences));
        }
        using var optimizer = new HeldAdam(_model.parameters(), _config.LearningRate);
        _model.train();
        var timer = new Stopwatch();
        for (int b = 0; b <= batches; b++)
        {
            if (b == 1)
            {
                timer.Start();
            }
            using var scope = NewDisposeScope();
            var loss = BatchLoss(windows, Enumerable.Range(b * _config.BatchSize, _config.BatchSize).ToArray());
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
            _ = loss.item<float>();
        }
        _model.eval();
        return timer.Elapsed.TotalSeconds / batches;
    }

    private Tensor BatchLoss(TrainingWindows windows, int[] batch)
    {
        int length = _config.MaxLength;
        var inputs = new long[batch.Length * length];
        var targets = new long[batch.Length * length];
        for (int b = 0; b < batch.Length; b++)
        {
            windows.Inputs[batch[b]].CopyTo(inputs, b * length);
            windows.Targets[batch[b]].CopyTo(targets, b * length);
        }
        var input = tensor(inputs, [batch.Length, length]);
        var target = tensor(targets).reshape(-1);
        var hidden = _model.call(input).reshape(-1, _model.RowWidth);
        var positions = target.ne(HeldScalars.Zero).nonzero().squeeze(1);
        hidden = hidden.index_select(0, positions);
        target = target.index_select(0, positions);
        var thresholds = Thresholds(windows, batch, positions);
        var loss = _config.Loss switch
        {
            LossKind.FullSoftmax => FullSoftmax(hidden, target, _model.ItemTable(), _ranks is null ? null : ItemAvailability.Unavailable(_ranks, thresholds!)),
            LossKind.SampledSoftmax => SampledSoftmax(hidden, target, thresholds),
            _ => BceOneNegative(hidden, target),
        };
        if (_model.Regulariser() is { } penalty)
        {
            loss = loss.Plus(penalty);
        }
        if (windows.Shown is { } shownWindows)
        {
            var shown = new long[batch.Length * length * TrainingWindows.ShownPerPosition];
            for (int b = 0; b < batch.Length; b++)
            {
                shownWindows[batch[b]].CopyTo(shown, b * length * TrainingWindows.ShownPerPosition);
            }
            var negatives = tensor(shown, [batch.Length * length, TrainingWindows.ShownPerPosition]).index_select(0, positions);
            using var weight = _config.ShownNegativeWeight.ToScalar(); // held for the call: see HeldScalars
            loss = loss.Plus(ShownNotTaken(hidden, target, negatives).mul(weight));
        }
        return loss;
    }

    /// <summary>
    /// Pairwise (BPR) loss between each target and the items the user was shown before it and never took: full
    /// softmax already counts them among all items; this says they were seen and passed over.
    /// </summary>
    private Tensor ShownNotTaken(Tensor hidden, Tensor target, Tensor negatives)
    {
        var valid = negatives.ne(HeldScalars.Zero);
        var positive = (hidden * _model.ItemRows(target)).sum(-1, keepdim: true);           // [P, 1]
        var negative = (hidden.unsqueeze(1) * _model.ItemRows(negatives)).sum(-1);           // [P, M]
        // softplus(n − p) written as −log σ(p − n): TorchSharp's softplus makes temporary Scalars (see HeldScalars).
        var pairs = nn.functional.logsigmoid(positive.Minus(negative)).neg() * valid;
        return pairs.sum() / valid.sum().clamp_min(HeldScalars.One);
    }

    /// <summary>Each kept position's rank threshold (<see cref="ItemAvailability"/>), or null when every item is a negative.</summary>
    private Tensor? Thresholds(TrainingWindows windows, int[] batch, Tensor positions)
    {
        if (_availability is null || _ranks is null)
        {
            return null;
        }
        int length = _config.MaxLength;
        var thresholds = new long[batch.Length * length];
        for (int b = 0; b < batch.Length; b++)
        {
            var times = windows.TargetTimes?[batch[b]];
            for (int i = 0; i < length; i++)
            {
                thresholds[b * length + i] = _availability.Threshold(times?[i] ?? 0);
            }
        }
        return tensor(thresholds).index_select(0, positions);
    }

    /// <param name="unavailable">[P, items]: true where an item is not a negative at a position (its target never is).</param>
    private static Tensor FullSoftmax(Tensor hidden, Tensor target, Tensor table, Tensor? unavailable)
    {
        var logits = hidden.matmul(table.t());
        // Padding is never a valid next item.
        logits[TensorIndex.Colon, 0] = tensor(float.NegativeInfinity);
        if (unavailable is not null)
        {
            logits = logits.masked_fill(unavailable, HeldScalars.NegativeInfinity);
        }
        return nn.functional.cross_entropy(logits, target);
    }

    private Tensor BceOneNegative(Tensor hidden, Tensor target)
    {
        var negatives = randint(1, _model.TableSize, target.shape, dtype: ScalarType.Int64);
        var positive = (hidden * _model.ItemRows(target)).sum(-1);
        var negative = (hidden * _model.ItemRows(negatives)).sum(-1);
        return nn.functional.binary_cross_entropy_with_logits(positive, ones_like(positive))
            .Plus(nn.functional.binary_cross_entropy_with_logits(negative, zeros_like(negative)));
    }

    private Tensor SampledSoftmax(Tensor hidden, Tensor target, Tensor? thresholds)
    {
        long items = _model.TableSize - 1;
        long count = Math.Min(_config.Negatives, items);
        // Uniform with replacement: each draw is item j with probability 1/items, so every negative stands for
        // items/count catalogue items; adding that log to its logit is the logQ correction.
        var negatives = randint(1, _model.TableSize, [count], dtype: ScalarType.Int64);
        var positive = (hidden * _model.ItemRows(target)).sum(-1, keepdim: true);
        using var logQ = Math.Log((double)items / count).ToScalar(); // held for the call: see HeldScalars
        var negative = hidden.matmul(_model.ItemRows(negatives).t()).add(logQ, HeldScalars.One); // add(Scalar) alone makes a temporary alpha of 1
        // A draw that is the position's own target is not a negative.
        negative = negative.masked_fill(target.unsqueeze(1).eq(negatives.unsqueeze(0)), HeldScalars.NegativeInfinity);
        if (thresholds is not null)
        {
            negative = negative.masked_fill(ItemAvailability.Unavailable(_ranks!.index_select(0, negatives), thresholds), HeldScalars.NegativeInfinity);
        }
        var logits = cat([positive, negative], 1);
        return nn.functional.cross_entropy(logits, zeros(logits.shape[0], dtype: ScalarType.Int64));
    }
}
