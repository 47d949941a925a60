using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Storage;

namespace OnDeviceReco.Server.Exposure;

/// <summary>
/// The signed exposure table devices download (<see cref="SignedExposure"/>), counted from the store at most once
/// per <see cref="ServerOptions.ExposureRefresh"/>: a request finding it older starts one recount in the background
/// and is answered with the table it has, so a burst of syncs costs one scan of the impressions, and only the very
/// first request waits. Every node counts from the shared store, so all nodes hand out the same counts.
/// </summary>
public sealed class ExposureSnapshot(IFeedbackStore store, ModelSigning signing, ServerOptions options, TimeProvider clock,
    ILogger<ExposureSnapshot> log)
{
    private readonly Lock _gate = new();
    private Table? _current;
    private Task<Table>? _counting;

    /// <summary>The newest signed table; waits only while the first one is counted.</summary>
    /// <exception cref="Exception">Whatever the store threw when no table could be counted yet.</exception>
    public async Task<byte[]> SignedAsync(CancellationToken cancellationToken)
    {
        Task<Table>? counting;
        Table? current;
        lock (_gate)
        {
            current = _current;
            if (current is null || clock.GetUtcNow() - current.CountedAt >= options.ExposureRefresh)
            {
                _counting ??= Task.Run(Count, CancellationToken.None);
            }
            counting = _counting;
        }
        if (current is not null)
        {
            return current.Signed;
        }
        return (await counting!.WaitAsync(cancellationToken).ConfigureAwait(false)).Signed;
    }

    private Table Count()
    {
        try
        {
            var now = clock.GetUtcNow();
            var counts = store.ShownCounts(WireLimits.Default.MaxExposureItems);
            var table = new ExposureCounts(now.ToUnixTimeMilliseconds(),
                counts.ToDictionary(c => c.ItemId, c => c.Devices, StringComparer.Ordinal).AsReadOnly());
            var counted = new Table(now, SignedExposure.Sign(table, signing.Key));
            lock (_gate)
            {
                _current = counted;
                _counting = null;
            }
            return counted;
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Counting the exposure table failed; devices keep the one they have and the next request retries");
            lock (_gate)
            {
                _counting = null;
            }
            throw;
        }
    }

    private sealed record Table(DateTimeOffset CountedAt, byte[] Signed);
}
