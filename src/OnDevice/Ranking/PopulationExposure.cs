using OnDeviceReco.Protocol.Exposure;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The latest verified exposure table (<see cref="ExposureCounts"/>): on how many devices each item
/// was shown. Exploration counts it as evidence, so a device explores where the population knows least instead of
/// where this one device does — devices cannot see each other's tries, the server can. Empty until a table arrives.
/// Swapped whole, so readers never see half a table.
/// </summary>
internal sealed class PopulationExposure
{
    private volatile IReadOnlyDictionary<string, int> _shownTo = new Dictionary<string, int>();

    /// <summary>Devices that showed <paramref name="itemId"/>, as of the last table (0 when unknown).</summary>
    public int ShownTo(string itemId) => _shownTo.GetValueOrDefault(itemId);

    /// <summary>Items the current table lists.</summary>
    public int Items => _shownTo.Count;

    /// <summary>Serves <paramref name="counts"/> from now on.</summary>
    public void Use(ExposureCounts counts) => _shownTo = counts.ShownTo;
}
