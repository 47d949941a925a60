using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Server.Retraining;

/// <summary>
/// Checks every <see cref="RetrainingOptions.CheckInterval"/> (or at once when asked) whether enough new events
/// arrived since the last training, and runs <see cref="RetrainingJob"/> when they did. One run at a time; a
/// failed run is logged and retried at the next check — the serving model is untouched by failures.
/// </summary>
public sealed class RetrainingService(ServerOptions options, IFeedbackStore store, RetrainingJob job, RetrainingTrigger trigger,
    ILogger<RetrainingService> log) : BackgroundService
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
            try
            {
                if (!ThresholdReached(out var counts, out long fresh, out bool forced))
                {
                    continue;
                }
                // Nodes sharing a store train one at a time: whoever holds the lease trains; the others look again at
                // their next check, when the threshold counts from what the holder trained on.
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
                await Task.Run(() => job.Run(counts.LatestEventId, lease, stoppingToken), stoppingToken);
                trigger.Completed(null);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Also a store that does not answer (a database restarting): the next check tries again.
                log.LogError(e, "Retraining failed; the serving model is unchanged");
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
}
