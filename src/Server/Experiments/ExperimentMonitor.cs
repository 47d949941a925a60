namespace OnDeviceReco.Server.Experiments;

/// <summary>Looks at the running experiment every <see cref="ExperimentOptions.EvaluationInterval"/> and applies its decision.</summary>
public sealed class ExperimentMonitor(ExperimentEvaluator evaluator, Hosting.ServerOptions options, ILogger<ExperimentMonitor> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Experiments.EvaluationInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                evaluator.EvaluateRunning();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store may be briefly unreachable; the next look retries, and no decision was half applied.
                log.LogWarning(e, "Evaluating the running experiment failed; the next look retries");
            }
        }
    }
}
