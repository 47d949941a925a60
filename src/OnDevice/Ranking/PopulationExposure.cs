using OnDeviceReco.Inference;
using OnDeviceReco.Protocol.Exposure;

namespace OnDeviceReco.Ranking;

/// <summary>
/// The latest verified exposure table (<see cref="ExposureCounts"/>): on how many devices each item was shown.
/// Exploration counts it as evidence, so a device explores where the population knows least instead of where this
/// one device does — devices cannot see each other's tries, the server can. Empty until a table arrives. Swapped
/// whole, so readers never see half a table.
/// </summary>
internal sealed class PopulationExposure
{
    private static readonly IReadOnlyDictionary<string, int> NoTable = new Dictionary<string, int>();

    private volatile IReadOnlyDictionary<string, int> _shownTo = NoTable;
    private volatile Lookup? _mapped;

    /// <summary>Items the current table lists.</summary>
    public int Items => _shownTo.Count;

    /// <summary>Serves <paramref name="counts"/> from now on.</summary>
    public void Use(ExposureCounts counts) => _shownTo = counts.ShownTo;

    /// <summary>
    /// The table for one call. Exploration asks about thousands of candidates by model index, so the table is mapped
    /// to the model's indices once per table and model (not per call), and a candidate's count is one array read.
    /// </summary>
    public Lookup For(LoadedModel? model)
    {
        var table = _shownTo;
        if (model is null || table.Count == 0)
        {
            return new Lookup(table, null, null);
        }
        var mapped = _mapped;
        if (mapped is not null && ReferenceEquals(mapped.Table, table) && ReferenceEquals(mapped.Model, model))
        {
            return mapped;
        }
        var byIndex = new int[model.ItemCount + 1];
        foreach (var (id, devices) in table)
        {
            if (model.TryGetIndex(id, out int index))
            {
                byIndex[index] = devices;
            }
        }
        mapped = new Lookup(table, model, byIndex);
        _mapped = mapped; // a race builds the same mapping twice, never a wrong one
        return mapped;
    }

    /// <summary>One table, mapped to one model's indices when there is a model.</summary>
    internal sealed class Lookup(IReadOnlyDictionary<string, int> table, LoadedModel? model, int[]? byIndex)
    {
        public IReadOnlyDictionary<string, int> Table => table;

        public LoadedModel? Model => model;

        /// <summary>
        /// Devices that showed item <paramref name="id"/>, whose model index is <paramref name="index"/> (0 when the model
        /// does not know it); a model item's <paramref name="id"/> may be null, then it is read from the model only if needed.
        /// </summary>
        public int Of(string? id, int index) =>
            byIndex is not null && index > 0 ? byIndex[index] : _empty ? 0 : table.GetValueOrDefault(id ?? model!.ItemId(index));

        // Asked for every candidate: the table's count is read once, not through the interface each time.
        private readonly bool _empty = table.Count == 0;
    }
}
