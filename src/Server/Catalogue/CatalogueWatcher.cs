using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Catalogue;

/// <summary>
/// Every <see cref="ServerOptions.CatalogueCheckInterval"/>, publishes what the catalogue directory lists and the
/// serving bundle lacks (rows an operator appended by hand, or items a retraining trained without because they
/// arrived while it ran). A bad file is logged and shown on the dashboard; the serving version stays.
/// </summary>
public sealed class CatalogueWatcher(ServerOptions options, CatalogueUpdater updater, ILogger<CatalogueWatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.CatalogueDirectory is null)
        {
            return;
        }
        await Task.Yield();
        string? reported = null;
        using var timer = new PeriodicTimer(options.CatalogueCheckInterval);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                var outcome = await Task.Run(updater.ApplyDirectory, stoppingToken);
                string? note = outcome is { Pending: true } ? outcome.Note : null;
                if (note is not null && note != reported)
                {
                    log.LogWarning("Catalogue items wait: {Note}", note);
                }
                reported = note;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (e.Message != reported)
                {
                    log.LogError(e, "Catalogue update failed; the serving version is unchanged");
                }
                reported = e.Message;
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
