using OnDeviceReco.Protocol.Exposure;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Privacy;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Exposure;

/// <summary>
/// The signed exposure table devices download (<see cref="SignedExposure"/>), counted from the store at most once
/// per <see cref="ServerOptions.ExposureRefresh"/>. A request finding the table older waits for one recount, which
/// every request arriving meanwhile shares, so a burst of syncs costs one scan of the impressions; if the store fails,
/// the last table answers. A recount with the same counts keeps the signed bytes, so their entity tag stays and
/// devices holding them get 304. Every node counts from the shared store, so all nodes hand out the same counts.
/// </summary>
public sealed class ExposureSnapshot(IFeedbackReader store, ModelSigning signing, ServerOptions options, ShippedCounts shipped, TimeProvider clock,
    ILogger<ExposureSnapshot> log)
{
    private readonly Lock _gate = new();
    private Table? _current;
    private Task<Table>? _counting;

    /// <summary>The signed table at most <see cref="ServerOptions.ExposureRefresh"/> old (or the last one, when counting fails) and its entity tag.</summary>
    /// <exception cref="Exception">Whatever the store threw when no table could be counted yet.</exception>
    public async Task<(byte[] Signed, string EntityTag)> SignedAsync(CancellationToken cancellationToken)
    {
        Task<Table> counting;
        Table? current;
        lock (_gate)
        {
            current = _current;
            // Aged by the monotonic timestamp, not the wall clock: a clock set back must not freeze the table.
            if (current is not null && clock.GetElapsedTime(current.CountedAt) < options.ExposureRefresh)
            {
                return (current.Signed, current.EntityTag);
            }
            counting = _counting ??= Task.Run(Count, CancellationToken.None);
        }
        try
        {
            var counted = await counting.WaitAsync(cancellationToken).ConfigureAwait(false);
            return (counted.Signed, counted.EntityTag);
        }
        catch (Exception) when (current is not null && !cancellationToken.IsCancellationRequested)
        {
            return (current.Signed, current.EntityTag); // logged in Count; the next request counts again
        }
    }

    private Table Count()
    {
        try
        {
            long countedAt = clock.GetTimestamp();
            // Only items shown on at least k devices, with noisy counts (ShippedCounts): the table never tells what one device saw.
            var shownTo = shipped.Release("exposure", store.ShownCounts(WireLimits.Default.MaxExposureItems))
                .ToDictionary(c => c.Cell, c => c.Count, StringComparer.Ordinal);
            Table? unchanged;
            lock (_gate)
            {
                unchanged = _current is { } previous && SameCounts(previous.ShownTo, shownTo) ? previous with { CountedAt = countedAt } : null;
            }
            var counted = unchanged ?? Signed(countedAt, shownTo);
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

    private Table Signed(long countedAt, Dictionary<string, int> shownTo)
    {
        byte[] signed = SignedExposure.Sign(new ExposureCounts(clock.GetUtcNow().ToUnixTimeMilliseconds(), shownTo.AsReadOnly()), signing.Key);
        return new Table(countedAt, shownTo, signed, SignedExposure.EntityTag(signed));
    }

    private static bool SameCounts(Dictionary<string, int> previous, Dictionary<string, int> now) =>
        previous.Count == now.Count && now.All(p => previous.TryGetValue(p.Key, out int devices) && devices == p.Value);

    /// <param name="CountedAt">When it was last counted, as <see cref="TimeProvider.GetTimestamp"/>.</param>
    private sealed record Table(long CountedAt, Dictionary<string, int> ShownTo, byte[] Signed, string EntityTag);
}
