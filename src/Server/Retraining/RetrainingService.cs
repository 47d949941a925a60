using System.Diagnostics;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Checks every <see cref="RetrainingOptions.CheckInterval"/> (or at once when asked) whether enough new events
/// arrived since the last training, and runs <see cref="RetrainingJob"/> when they did. Nodes sharing a store
/// train one at a time: the run holds the store's training lease. A failed run — or a store that does not answer
/// — is logged and retried at the next check; the serving model is untouched by failures.
/// </summary>
public sealed class RetrainingService(ServerOptions options, IFeedbackStore store, RetrainingJob job, RetrainingTrigger trigger,
    ServerMetrics metrics, ILogger<RetrainingService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Retraining;
        if (!settings.Enabled)
        {
            return;
        }
        // Leave the host's start-up path at once: training is long and CPU-bound.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await trigger.WaitAsync(settings.CheckInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var started = DateTimeOffset.UtcNow;
            long clock = Stopwatch.GetTimestamp();
            try
            {
                if (!ThresholdReached(out var counts, out long fresh, out bool forced))
                {
                    continue;
                }
                // Whoever holds the lease trains; the others look again at their next check, when the threshold
                // counts from what the holder trained on.
                using var lease = store.TryAcquireTrainingLease();
                if (lease is null)
                {
                    log.LogDebug("Retraining is due, but another node holds the training lease");
                    continue;
                }
                if (!ThresholdReached(out counts, out fresh, out forced))
                {
                    continue; // another node trained while this one waited for the lease
                }
                trigger.ForceNext = false;
                log.LogInformation("Retraining: {Fresh} new events since the last run (threshold {Threshold}, forced {Forced})",
                    fresh, settings.MinNewEvents, forced);
                started = DateTimeOffset.UtcNow;
                clock = Stopwatch.GetTimestamp();
                var outcome = await Task.Run(() => job.Run(counts.LatestEventId, lease, stoppingToken), stoppingToken);
                Record(new RetrainingRun(started, Stopwatch.GetElapsedTime(clock).TotalSeconds,
                    outcome.Published ? RetrainingRun.Published : RetrainingRun.KeptBack, outcome.Version, outcome.Epochs,
                    outcome.Candidate.Ndcg10, outcome.Baseline.Ndcg10, outcome.BaselineName, outcome.Reason));
                trigger.Completed(null);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Retraining failed; the serving model is unchanged");
                Record(new RetrainingRun(started, Stopwatch.GetElapsedTime(clock).TotalSeconds, RetrainingRun.Failed, null, 0, null, null, null, e.Message));
                trigger.Completed(e.Message);
            }
        }

        bool ThresholdReached(out FeedbackCounts counts, out long fresh, out bool forced)
        {
            counts = store.Counts();
            fresh = counts.LatestEventId - store.TrainedThrough;
            forced = trigger.ForceNext;
            return forced || fresh >= settings.MinNewEvents;
        }
    }

    /// <summary>Counts the run and keeps it for the dashboard. A store that cannot take the record costs the record, not the run.</summary>
    private void Record(RetrainingRun run)
    {
        metrics.RetrainingRun(run.Outcome, run.Seconds);
        try
        {
            store.RecordRun(run);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not record retraining run of {Started}", run.Started);
        }
    }
}
